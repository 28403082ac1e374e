"""The peer: the same query and render as hosts-generator, in Python with boto3.

Usage: boto3_generator.py ENDPOINT OUTDIR. Paginates DescribeInstances (tag:Prefix, running), renders the
office (public, {name}) and remote (private, {name} {name}.{prefix}) profiles, sanitised and sorted, and writes
OUTDIR/office.hosts and OUTDIR/remote.hosts.
"""
import ipaddress, os, re, sys
import boto3

endpoint, out = sys.argv[1], sys.argv[2]
prefixes = ["apne1a-prod", "apne1c-prod"]
ec2 = boto3.client("ec2", region_name="ap-northeast-1", endpoint_url=endpoint,
                   aws_access_key_id="test", aws_secret_access_key="test")
instances = []
for page in ec2.get_paginator("describe_instances").paginate(
        Filters=[{"Name": "tag:Prefix", "Values": prefixes}, {"Name": "instance-state-name", "Values": ["running"]}],
        PaginationConfig={"PageSize": 1000}):
    for reservation in page["Reservations"]:
        instances.extend(reservation["Instances"])


def label(text):
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:63].rstrip("-")
    return text or None


profiles = {"office": ("PublicIpAddress", ["{name}"]), "remote": ("PrivateIpAddress", ["{name}", "{name}.{prefix}"])}
os.makedirs(out, exist_ok=True)
for profile, (field, templates) in profiles.items():
    owner, lines = {}, []
    # hosts-generator's rule for a shared name: the most recent launch wins, then the smaller instance id.
    for inst in sorted(instances, key=lambda i: (-i["LaunchTime"].timestamp(), i["InstanceId"])):
        tags = {t["Key"]: t["Value"] for t in inst.get("Tags", [])}
        if tags.get("Prefix") not in prefixes or field not in inst:
            continue
        name, prefix = label(tags.get("Name", "")), label(tags["Prefix"])
        if not name:
            continue
        names = [n for n in (t.replace("{name}", name).replace("{prefix}", prefix) for t in templates)
                 if owner.setdefault(n, inst["InstanceId"]) == inst["InstanceId"]]
        if names:
            # Two instances on one address are two hosts: each keeps its own line, as hosts-generator writes them.
            lines.append((inst[field], names))
    width = max((len(a) for a, _ in lines), default=0)
    with open(os.path.join(out, f"{profile}.hosts"), "w") as f:
        f.write(f"# profile {profile}\n")
        for address, names in sorted(lines, key=lambda line: ipaddress.ip_address(line[0])):
            f.write(f"{address.ljust(width)} {' '.join(names)}\n")
