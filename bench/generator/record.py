"""Records 10 pages of DescribeInstances XML (10,000 instances) from a real moto_server.

Usage: record.py OUTDIR. Starts moto on a free loopback port, creates 1,000 tagged instances with boto3 and
fetches one page (MaxResults=1000, the request hosts-generator sends), then stops moto. moto gets very slow with
10,000 instances (minutes per page), so pages 2-10 are that recorded page with instance ids, Name tags and
addresses rewritten to be unique; each page's nextToken is set to "page-N+1" for the replay server.
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
    for batch in range(2):
        ids = [i["InstanceId"] for i in ec2.run_instances(ImageId="ami-12c6146b", MinCount=500, MaxCount=500)["Instances"]]
        for n, iid in enumerate(ids):
            k = batch * 500 + n
            ec2.create_tags(Resources=[iid], Tags=[{"Key": "Prefix", "Value": prefixes[k % 2]},
                                                   {"Key": "Name", "Value": f"Web Server_{k:05d}"}])
        print(f"created {(batch + 1) * 500}", file=sys.stderr)
    auth = "AWS4-HMAC-SHA256 Credential=test/20240101/ap-northeast-1/ec2/aws4_request, SignedHeaders=host, Signature=0"
    form = [("Action", "DescribeInstances"), ("Version", "2016-11-15"), ("Filter.1.Name", "tag:Prefix"),
            ("Filter.1.Value.1", prefixes[0]), ("Filter.1.Value.2", prefixes[1]),
            ("Filter.2.Name", "instance-state-name"), ("Filter.2.Value.1", "running"), ("MaxResults", "1000")]
    req = urllib.request.Request(endpoint + "/", data=urllib.parse.urlencode(form).encode(),
                                 headers={"Authorization": auth, "Content-Type": "application/x-www-form-urlencoded"})
    recorded = urllib.request.urlopen(req).read().decode()
    recorded = re.sub(r"<nextToken>[^<]*</nextToken>|<nextToken/>", "", recorded)
    assert recorded.count("<instanceId>") == 1000, "expected 1000 instances in the recorded page"
    for page in range(1, 11):
        body = recorded
        if page > 1:
            body = re.sub(r"<instanceId>i-([0-9a-f]{2})", lambda m: f"<instanceId>i-{page:02d}", body)
            body = re.sub(r"Web Server_(\d{5})", lambda m: f"Web Server_{(page - 1) * 1000 + int(m.group(1)):05d}", body)
            body = re.sub(r"\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b",
                          lambda m: f"{m.group(1)}.{(int(m.group(2)) + page * 23) % 256}.{m.group(3)}.{m.group(4)}", body)
        if page < 10:
            body = body.replace("</DescribeInstancesResponse>", f"<nextToken>page-{page + 1}</nextToken></DescribeInstancesResponse>")
        with open(os.path.join(out, f"page-{page}.xml"), "w") as f:
            f.write(body)
    print("recorded 1 page from moto, wrote 10 pages", file=sys.stderr)
finally:
    moto.terminate()
    moto.wait()
