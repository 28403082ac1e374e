"""Writes man pages (section 1) from an argument-parser tool's `--experimental-dump-help` JSON.

usage: gen-man.py BINARY OUTDIR  — one page for the tool, one per subcommand (tool-sub.1).
"""
import json
import os
import subprocess
import sys

binary, outdir = sys.argv[1], sys.argv[2]
info = json.loads(subprocess.run([binary, "--experimental-dump-help"], check=True, capture_output=True, text=True).stdout)


def esc(text):
    return (text or "").replace("\\", "\\\\").replace("-", "\\-").replace("\n.", "\n\\&.")


def arg_names(arg):
    names = []
    for n in arg.get("names", []):
        names.append(("--" if n["kind"] == "long" else "-") + n["name"])
    return ", ".join(names) or "<" + arg.get("valueName", "value") + ">"


def page(command, path):
    name = " ".join(path)
    lines = [f'.TH "{name.upper().replace(" ", "-")}" 1 "" "PseudoDNS" "PseudoDNS manual"', ".SH NAME",
             f"{esc('-'.join(path))} \\- {esc(command.get('abstract', ''))}", ".SH SYNOPSIS", f".B {esc(name)}"]
    args = [a for a in command.get("arguments", []) if a.get("shouldDisplay", True)]
    subs = command.get("subcommands", [])
    if subs:
        lines.append("\\fISUBCOMMAND\\fR")
    for arg in args:
        text = arg_names(arg)
        if arg["kind"] == "option":
            text += " <" + arg.get("valueName", "value") + ">"
        lines.append(f"[{esc(text)}]" if arg.get("isOptional") else esc(text))
    if command.get("discussion"):
        lines += [".SH DESCRIPTION", esc(command["discussion"])]
    if args:
        lines.append(".SH OPTIONS")
        for arg in args:
            lines += [".TP", f".B {esc(arg_names(arg))}", esc(arg.get("abstract", ""))]
            if arg.get("defaultValue"):
                lines[-1] += f" (default: {esc(arg['defaultValue'])})"
    if subs:
        lines.append(".SH SUBCOMMANDS")
        for sub in subs:
            lines += [".TP", f".B {esc(sub['commandName'])}", esc(sub.get("abstract", "")) +
                      f" See \\fB{esc('-'.join(path + [sub['commandName']]))}\\fR(1)."]
    with open(os.path.join(outdir, "-".join(path) + ".1"), "w") as f:
        f.write("\n".join(lines) + "\n")
    for sub in subs:
        if sub["commandName"] != "help":
            page(sub, path + [sub["commandName"]])


os.makedirs(outdir, exist_ok=True)
page(info["command"], [info["command"]["commandName"]])
