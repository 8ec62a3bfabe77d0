#!/usr/bin/env python3
"""Writes the assume-role graph benchmark's exports: one
`get-account-authorization-details` export per size, with N users and N
roles in one account, where every principal may call sts:AssumeRole on `*`
and every role trusts its account root: the case whose edge set is
quadratic (N principals x N roles) when built naively.

With --distinct, writes gaad-distinct-N.json instead: N users and N roles
where user i may assume only `arn:aws:iam::*:role/role-i` (any account) and
every role trusts its account root: N distinct permissions, so N group
nodes whose resource patterns all begin `arn:aws:iam::`, each covering one
role. The graph has about 3N edges; finding them must not try every group
for every role.

Usage: python3 bench/gen_graph.py [--distinct] [OUT_DIR] [N ...]   (default bench/corpus/graph 1000 10000 50000)
"""
import json
import os
import sys

ACCOUNT = "111111111111"


def export(n, distinct=False):
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}
    assume_any = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}

    def assume_one(i):
        return {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::*:role/role-{i}"}]}

    users = [{
        "Path": "/", "UserName": f"user-{i}", "UserId": f"AIDA{i:016d}",
        "Arn": f"arn:aws:iam::{ACCOUNT}:user/user-{i}", "CreateDate": "2024-01-01T00:00:00Z",
        "GroupList": [], "AttachedManagedPolicies": [], "Tags": [],
        "UserPolicyList": [{"PolicyName": "assume-one" if distinct else "assume-any",
                            "PolicyDocument": assume_one(i) if distinct else assume_any}],
    } for i in range(n)]
    roles = [{
        "Path": "/", "RoleName": f"role-{i}", "RoleId": f"AROA{i:016d}",
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/role-{i}", "CreateDate": "2024-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": trust, "InstanceProfileList": [], "Tags": [], "RoleLastUsed": {},
        "RolePolicyList": [{"PolicyName": "assume-any", "PolicyDocument": assume_any}],
        "AttachedManagedPolicies": [],
    } for i in range(n)]
    return {"UserDetailList": users, "GroupDetailList": [], "RoleDetailList": roles, "Policies": []}


def main():
    args = sys.argv[1:]
    distinct = "--distinct" in args
    args = [a for a in args if a != "--distinct"]
    out = args[0] if args else os.path.join(os.path.dirname(__file__), "corpus", "graph")
    sizes = [int(a) for a in args[1:]] or [1000, 10000, 50000]
    os.makedirs(out, exist_ok=True)
    for n in sizes:
        path = os.path.join(out, f"gaad-{'distinct-' if distinct else ''}{n}.json")
        if not os.path.exists(path):
            with open(path, "w") as f:
                json.dump(export(n, distinct), f, indent=1)
        print(path)


if __name__ == "__main__":
    main()
