#!/usr/bin/env python3
"""Prints botocore's endpoint for each service/region/FIPS/dual-stack combination given on stdin, as JSON.

Used by GeneratorTests' EndpointTableTests: the hostnames hosts-generator makes are compared with the ones
botocore's endpoint rule sets (botocore/data/SERVICE/*/endpoint-rule-set-1.json) give for the installed botocore.
stdin: a JSON list of {"service", "region", "fips", "dualstack"} and, for sts, an optional "legacy" (botocore's
sts_regional_endpoints = legacy, which sets the rule set's UseGlobalEndpoint); stdout: the same list with "url" and
"signing_region" (or "error").
"""
import json
import sys

import botocore.session
from botocore.endpoint_provider import EndpointProvider

session = botocore.session.get_session()
loader = session.get_component("data_loader")
partitions = loader.load_data("partitions")
providers = {}
out = []
for case in json.load(sys.stdin):
    service = case["service"]
    if service not in providers:
        providers[service] = EndpointProvider(loader.load_service_model(service, "endpoint-rule-set-1"), partitions)
    try:
        parameters = dict(Region=case["region"], UseFIPS=case["fips"], UseDualStack=case["dualstack"])
        if case.get("legacy"):
            parameters["UseGlobalEndpoint"] = True
        endpoint = providers[service].resolve_endpoint(**parameters)
        case["url"] = endpoint.url
        schemes = endpoint.properties.get("authSchemes") or [{}]
        case["signing_region"] = schemes[0].get("signingRegion", case["region"])
    except Exception as error:  # the rule set's own error: the combination is not supported
        case["error"] = str(error)
    out.append(case)
json.dump({"botocore": botocore.__version__, "cases": out}, sys.stdout)
