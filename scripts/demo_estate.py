"""Seeds (or changes) the demo's EC2 estate in a moto_server, through boto3.

usage: demo_estate.py ENDPOINT seed|change
seed:   ~30 instances over two Prefix values, a few stopped, one without a Name, one in another Prefix.
change: terminates 'web-2' in apne1a-prod and launches 'web-9' there, like a recreated spot instance.
"""
import os
import sys

import boto3

endpoint, action = sys.argv[1], sys.argv[2]
os.environ.setdefault("AWS_ACCESS_KEY_ID", "demo")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "demo")
ec2 = boto3.client("ec2", region_name="ap-northeast-1", endpoint_url=endpoint)
image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]


def launch(prefix, name, count=1):
    tags = [{"Key": "Prefix", "Value": prefix}]
    if name is not None:
        tags.append({"Key": "Name", "Value": name})
    result = ec2.run_instances(
        ImageId=image, MinCount=count, MaxCount=count, InstanceType="t3.micro",
        TagSpecifications=[{"ResourceType": "instance", "Tags": tags}],
    )
    return [i["InstanceId"] for i in result["Instances"]]


def find(prefix, name):
    reply = ec2.describe_instances(Filters=[
        {"Name": "tag:Prefix", "Values": [prefix]}, {"Name": "tag:Name", "Values": [name]},
        {"Name": "instance-state-name", "Values": ["running"]},
    ])
    return [i["InstanceId"] for r in reply["Reservations"] for i in r["Instances"]]


if action == "seed":
    for prefix in ("apne1a-prod", "apne1c-prod"):
        for role, count in (("web", 4), ("API", 3), ("db_primary", 1), ("DB Replica", 2), ("batch", 3)):
            for n in range(1, count + 1):
                launch(prefix, f"{role}-{n}" if count > 1 else role)
    stopped = launch("apne1a-prod", "batch-old") + launch("apne1c-prod", "batch-old")
    ec2.stop_instances(InstanceIds=stopped)
    launch("apne1a-prod", None)            # no Name tag: skipped and counted by the generator
    launch("apne1a-dev", "web-1")          # another Prefix: not in any profile
    print("seeded 31 instances (26 running with a Name in the two profiles' prefixes)")
elif action == "change":
    gone = find("apne1a-prod", "web-2")
    ec2.terminate_instances(InstanceIds=gone)
    launch("apne1a-prod", "web-9")
    print(f"terminated web-2 ({', '.join(gone)}), launched web-9")
else:
    sys.exit(f"unknown action {action}")
