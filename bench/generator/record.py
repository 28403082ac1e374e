"""Records 10 pages of DescribeInstances XML (10,000 instances) from a real moto server.

Usage: record.py OUTDIR. Starts moto (scripts/moto-server.py, on a port it binds itself and reports), creates
1,000 tagged instances with boto3 and fetches one page (MaxResults=1000, the request hosts-generator sends), then
stops moto. moto gets very slow with 10,000 instances (minutes per page), so pages 2-10 are that recorded page with
instance ids, Name tags and addresses rewritten to be unique; each page's nextToken is set to "page-N+1" for the
replay server.
"""
import os, select, subprocess, sys, urllib.request, urllib.parse, re
import boto3

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
launcher = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "moto-server.py")
env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
# Port 0: moto binds a free port itself and prints `port=N` once it listens (a port picked free here first could
# be taken by another process before moto binds it). --parent: it exits if this script dies first.
moto = subprocess.Popen([sys.executable, launcher, "--parent", str(os.getpid())], env=env,
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
try:
    # Importing moto takes seconds on a loaded machine; 120 s bounds a launcher that never reports.
    ready, _, _ = select.select([moto.stdout], [], [], 120)
    line = moto.stdout.readline() if ready else ""
    if not line.startswith("port="):
        sys.exit(f"record.py: scripts/moto-server.py reported no port (got {line.strip()!r})")
    endpoint = f"http://127.0.0.1:{int(line[5:])}"
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
