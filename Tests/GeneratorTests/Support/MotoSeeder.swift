import Foundation
import TestSupport

/// Creates instances in moto with boto3 (test setup only; the code under test uses its own client).
struct MotoSeeder {
    struct Spec: Encodable {
        var name: String?
        var prefix: String
        /// running, stopped or terminated
        var state = "running"
        var publicIP = true
        /// Seconds to wait before launching, so that launch times differ (moto has 1-second resolution).
        var delayBefore = 0.0
    }

    struct Created: Decodable, Equatable {
        var id: String
        var name: String?
        var prefix: String
        var state: String
        var publicIP: String?
        var privateIP: String?
    }

    var endpoint: String
    var region = "ap-northeast-1"
    /// Seed another account: instances are created with credentials of this role, assumed through moto's STS (moto
    /// answers requests made with an assumed role's keys as the role's account).
    var roleARN: String?

    static let script = """
        import boto3, json, sys, time
        endpoint, region, specs, role = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
        keys = dict(aws_access_key_id="test", aws_secret_access_key="test")
        if role:
            c = boto3.client("sts", region_name=region, endpoint_url=endpoint, **keys).assume_role(
                RoleArn=role, RoleSessionName="seeder")["Credentials"]
            keys = dict(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                        aws_session_token=c["SessionToken"])
        ec2 = boto3.client("ec2", region_name=region, endpoint_url=endpoint, **keys)
        subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
        out = []
        for spec in specs:
            time.sleep(spec.get("delayBefore", 0))
            tags = [{"Key": "Prefix", "Value": spec["prefix"]}]
            if spec.get("name") is not None:
                tags.append({"Key": "Name", "Value": spec["name"]})
            args = dict(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.micro")
            if not spec["publicIP"]:
                args["NetworkInterfaces"] = [{"DeviceIndex": 0, "SubnetId": subnet, "AssociatePublicIpAddress": False}]
            iid = ec2.run_instances(**args)["Instances"][0]["InstanceId"]
            ec2.create_tags(Resources=[iid], Tags=tags)
            if spec["state"] == "stopped":
                ec2.stop_instances(InstanceIds=[iid])
            elif spec["state"] == "terminated":
                ec2.terminate_instances(InstanceIds=[iid])
            d = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
            out.append({"id": iid, "name": spec.get("name"), "prefix": spec["prefix"], "state": d["State"]["Name"],
                        "publicIP": d.get("PublicIpAddress"), "privateIP": d.get("PrivateIpAddress")})
        print(json.dumps(out))
        """

    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    func create(_ specs: [Spec]) throws -> [Created] {
        let json = String(decoding: try JSONEncoder().encode(specs), as: UTF8.self)
        let result = try BuiltProducts.run(
            "/usr/bin/env", ["python3", "-c", Self.script, endpoint, region, json, roleARN ?? ""])
        guard result.status == 0 else { throw Failed(description: "seeding moto failed: \(result.stderr)") }
        return try JSONDecoder().decode([Created].self, from: Data(result.stdout.utf8))
    }

    /// Temporary keys of `role` from moto's STS (for stand-ins that hand out credentials, like an SSO portal).
    func assumedKeys(_ role: String) throws -> (id: String, secret: String, token: String) {
        let script = """
            import boto3, sys
            c = boto3.client("sts", region_name=sys.argv[2], endpoint_url=sys.argv[1], aws_access_key_id="test",
                             aws_secret_access_key="test").assume_role(RoleArn=sys.argv[3], RoleSessionName="standin")
            c = c["Credentials"]
            print(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
            """
        let result = try BuiltProducts.run("/usr/bin/env", ["python3", "-c", script, endpoint, region, role])
        let words = result.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard result.status == 0, words.count == 3 else {
            throw Failed(description: "assuming \(role) in moto failed: \(result.stderr)")
        }
        return (words[0], words[1], words[2])
    }

    func terminate(_ ids: [String]) throws {
        let script = """
            import boto3, sys
            boto3.client("ec2", region_name=sys.argv[2], endpoint_url=sys.argv[1], aws_access_key_id="test",
                         aws_secret_access_key="test").terminate_instances(InstanceIds=sys.argv[3:])
            """
        let result = try BuiltProducts.run("/usr/bin/env", ["python3", "-c", script, endpoint, region] + ids)
        guard result.status == 0 else { throw Failed(description: "terminating failed: \(result.stderr)") }
    }
}
