"""Records 10 pages of DescribeInstances XML (10,000 instances) from a real moto_server.

Usage: record.py OUTDIR. Starts moto on a free loopback port, creates the instances with boto3, fetches the
pages with MaxResults=1000 exactly as hosts-generator asks for them, rewrites each nextToken to "page-N" so that
the replay server can serve them, and stops moto.
"""
import os, socket, subprocess, sys, time, urllib.request, urllib.parse, re
import boto3

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
moto = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(port)], env=env,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1); break
        except Exception:
            time.sleep(0.2)
    ec2 = boto3.client("ec2", region_name="ap-northeast-1", endpoint_url=endpoint,
                       aws_access_key_id="test", aws_secret_access_key="test")
    prefixes = ["apne1a-prod", "apne1c-prod"]
    for batch in range(20):
        ids = [i["InstanceId"] for i in ec2.run_instances(ImageId="ami-12c6146b", MinCount=500, MaxCount=500)["Instances"]]
        for n, iid in enumerate(ids):
            k = batch * 500 + n
            ec2.create_tags(Resources=[iid], Tags=[{"Key": "Prefix", "Value": prefixes[k % 2]},
                                                   {"Key": "Name", "Value": f"Web Server_{k:05d}"}])
        print(f"created {(batch + 1) * 500}", file=sys.stderr)
    token, page = None, 0
    auth = "AWS4-HMAC-SHA256 Credential=test/20240101/ap-northeast-1/ec2/aws4_request, SignedHeaders=host, Signature=0"
    while True:
        page += 1
        form = [("Action", "DescribeInstances"), ("Version", "2016-11-15"), ("Filter.1.Name", "tag:Prefix"),
                ("Filter.1.Value.1", prefixes[0]), ("Filter.1.Value.2", prefixes[1]),
                ("Filter.2.Name", "instance-state-name"), ("Filter.2.Value.1", "running"), ("MaxResults", "1000")]
        if token:
            form.append(("NextToken", token))
        req = urllib.request.Request(endpoint + "/", data=urllib.parse.urlencode(form).encode(),
                                     headers={"Authorization": auth,
                                              "Content-Type": "application/x-www-form-urlencoded"})
        body = urllib.request.urlopen(req).read().decode()
        m = re.search(r"<nextToken>([^<]*)</nextToken>", body)
        token = m.group(1) if m and m.group(1) else None
        if token:
            body = body.replace(f"<nextToken>{token}</nextToken>", f"<nextToken>page-{page + 1}</nextToken>")
        with open(os.path.join(out, f"page-{page}.xml"), "w") as f:
            f.write(body)
        if not token:
            break
    print(f"recorded {page} pages", file=sys.stderr)
finally:
    moto.terminate()
    moto.wait()
