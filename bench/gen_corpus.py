#!/usr/bin/env python3
"""Generate a synthetic, deterministic IAM policy corpus for benchmarking.

Writes into OUT (default: bench/corpus):

  policies/<team>/<name>.json   10,000 pretty-printed policy documents
                                (~70% role trust policies, ~30% permission
                                policies), each between 300 B and 3 KB
  gaad/gaad-20000.json          one `aws iam get-account-authorization-details`
                                export with 20,000 roles, ~2,000 users,
                                ~200 groups and ~500 customer managed policies
  gaad/gaad-200mb.json          (only with --big) the same generator scaled
                                up to roughly 200 MB
  gaad/gaad-<MB>mb.json         (only with --gaad-mb MB ...) exports of about
                                MB megabytes each; with this option nothing
                                else is written

Everything comes from one seeded random.Random, so the output is byte-for-byte
identical between runs with the same arguments. Python standard library only.
"""

import argparse
import json
import os
import random
import string
import urllib.parse

SEED = 20240601

HOME_ACCOUNT = "111111111111"
# Accounts of the same organisation and outside accounts (vendors, partners),
# so that trust policies contain cross-account and third-party trusts.
ORG_ACCOUNTS = ["111111111111", "222222222222", "333333333333"]
EXTERNAL_ACCOUNTS = ["123456789012", "444455556666", "999988887777"]
ORG_ID = "o-a1b2c3d4e5"

SERVICES = [
    "ec2.amazonaws.com", "lambda.amazonaws.com", "ecs-tasks.amazonaws.com",
    "states.amazonaws.com", "glue.amazonaws.com", "events.amazonaws.com",
    "codebuild.amazonaws.com", "sagemaker.amazonaws.com",
    "firehose.amazonaws.com", "cloudformation.amazonaws.com",
    "apigateway.amazonaws.com", "batch.amazonaws.com",
]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
GITHUB_ORGS = ["acme", "acme-infra", "example-corp", "widgets-inc"]
REPOS = ["api", "web", "infra", "deploy", "data-pipeline", "terraform", "mobile", "billing"]
TEAMS = [
    "platform", "data", "security", "payments", "search", "mobile", "web",
    "ml", "ops", "identity", "billing", "growth", "infra", "analytics",
    "support", "shared",
]
WORDS = [
    "app", "worker", "deploy", "reader", "writer", "admin", "ci", "etl",
    "backup", "audit", "monitor", "ingest", "export", "sync", "runner",
    "scheduler", "gateway", "report", "cache", "batch",
]
ACTIONS = {
    "s3": ["GetObject", "PutObject", "DeleteObject", "ListBucket", "GetBucketPolicy",
           "PutBucketPolicy", "GetObjectVersion", "PutObjectAcl"],
    "dynamodb": ["GetItem", "PutItem", "Query", "Scan", "UpdateItem", "DeleteItem",
                 "BatchWriteItem", "DescribeTable"],
    "sqs": ["SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes"],
    "sns": ["Publish", "Subscribe", "ListTopics"],
    "logs": ["CreateLogGroup", "CreateLogStream", "PutLogEvents", "DescribeLogStreams"],
    "kms": ["Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey"],
    "ec2": ["DescribeInstances", "StartInstances", "StopInstances", "RunInstances",
            "CreateTags", "DescribeSecurityGroups"],
    "iam": ["PassRole", "GetRole", "ListRoles", "CreateUser", "AttachRolePolicy",
            "PutRolePolicy"],
    "secretsmanager": ["GetSecretValue", "DescribeSecret"],
    "lambda": ["InvokeFunction", "UpdateFunctionCode", "GetFunction"],
    "sts": ["AssumeRole", "GetCallerIdentity"],
    "cloudwatch": ["PutMetricData", "GetMetricData"],
}


def rid(rng, prefix):
    """An IAM unique ID such as AROA + 17 upper-case letters and digits."""
    return prefix + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(17))


def date(rng):
    return "20%02d-%02d-%02dT%02d:%02d:%02d+00:00" % (
        rng.randint(17, 24), rng.randint(1, 12), rng.randint(1, 28),
        rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))


def name(rng):
    return "%s-%s-%s" % (rng.choice(TEAMS), rng.choice(WORDS), rng.choice(WORDS))


def some_account(rng):
    if rng.random() < 0.6:
        return rng.choice(ORG_ACCOUNTS)
    return rng.choice(EXTERNAL_ACCOUNTS)


def one_or_list(items):
    return items[0] if len(items) == 1 else items


# ---------------------------------------------------------------- trust policies

def trust_service(rng, acct):
    services = rng.sample(SERVICES, rng.choice([1, 1, 1, 2]))
    st = {"Effect": "Allow", "Principal": {"Service": one_or_list(services)},
          "Action": "sts:AssumeRole"}
    r = rng.random()
    if r < 0.3:
        st["Condition"] = {"StringEquals": {"aws:SourceAccount": acct}}
    elif r < 0.45:
        st["Condition"] = {"ArnLike": {"aws:SourceArn": "arn:aws:%s:%s:%s:*" % (
            services[0].split(".")[0], rng.choice(REGIONS), acct)}}
    return st


def trust_account(rng, acct):
    other = some_account(rng)
    principal = "arn:aws:iam::%s:root" % other if rng.random() < 0.85 else other
    st = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    r = rng.random()
    if r < 0.4:
        st["Condition"] = {"StringEquals": {"sts:ExternalId": "%08x-%04x" % (
            rng.getrandbits(32), rng.getrandbits(16))}}
    elif r < 0.55:
        st["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    return st


def trust_role(rng, acct):
    arns = ["arn:aws:iam::%s:role/%s" % (some_account(rng), name(rng))
            for _ in range(rng.choice([1, 1, 2, 3]))]
    action = "sts:AssumeRole" if rng.random() < 0.7 else ["sts:AssumeRole", "sts:TagSession"]
    return {"Effect": "Allow", "Principal": {"AWS": one_or_list(arns)}, "Action": action}


def trust_wildcard(rng, acct):
    st = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    r = rng.random()
    if r < 0.7:
        st["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}
    elif r < 0.8:
        st["Condition"] = {"StringEquals": {"aws:PrincipalAccount": rng.choice(ORG_ACCOUNTS)}}
    elif r < 0.9:
        st["Principal"] = "*"
    return st  # the rest: {"AWS": "*"} without any condition


def trust_github(rng, acct):
    org, repo = rng.choice(GITHUB_ORGS), rng.choice(REPOS)
    aud = {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}
    key = "token.actions.githubusercontent.com:sub"
    r = rng.random()
    if r < 0.3:
        cond = {"StringEquals": dict(aud, **{key: "repo:%s/%s:ref:refs/heads/main" % (org, repo)})}
    elif r < 0.5:
        cond = {"StringEquals": aud, "StringLike": {key: "repo:%s/%s:*" % (org, repo)}}
    elif r < 0.65:
        cond = {"StringEquals": aud,
                "StringLike": {key: ["repo:%s/%s:environment:prod" % (org, repo),
                                     "repo:%s/%s:ref:refs/tags/v*" % (org, repo)]}}
    elif r < 0.8:
        cond = {"StringEquals": aud, "StringLike": {key: "repo:%s/*" % org}}
    elif r < 0.9:
        cond = {"StringEquals": aud}  # no sub condition at all
    else:
        cond = {"StringLike": {key: "*"}}
    return {"Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::%s:oidc-provider/token.actions.githubusercontent.com" % acct},
            "Action": "sts:AssumeRoleWithWebIdentity", "Condition": cond}


def trust_eks(rng, acct):
    issuer = "oidc.eks.%s.amazonaws.com/id/%032X" % (rng.choice(REGIONS), rng.getrandbits(128))
    return {"Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::%s:oidc-provider/%s" % (acct, issuer)},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                issuer + ":sub": "system:serviceaccount:%s:%s" % (rng.choice(TEAMS), rng.choice(WORDS)),
                issuer + ":aud": "sts.amazonaws.com"}}}


def trust_saml(rng, acct):
    return {"Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::%s:saml-provider/CorpIdP" % acct},
            "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}


TRUST_KINDS = [  # (generator, weight)
    (trust_service, 30), (trust_account, 18), (trust_role, 15), (trust_wildcard, 8),
    (trust_github, 17), (trust_eks, 7), (trust_saml, 5),
]


def trust_policy(rng, acct):
    gens, weights = zip(*TRUST_KINDS)
    count = 1 if rng.random() < 0.85 else 2
    statements = []
    for i in range(count):
        st = rng.choices(gens, weights)[0](rng, acct)
        if rng.random() < 0.5:
            st = dict({"Sid": "Trust%d" % i}, **st)
        statements.append(st)
    return {"Version": "2012-10-17", "Statement": statements}


# ----------------------------------------------------------- permission policies

def resource_for(rng, service, acct):
    region = rng.choice(REGIONS)
    n = name(rng)
    return {
        "s3": "arn:aws:s3:::%s/*" % n,
        "dynamodb": "arn:aws:dynamodb:%s:%s:table/%s" % (region, acct, n),
        "sqs": "arn:aws:sqs:%s:%s:%s" % (region, acct, n),
        "sns": "arn:aws:sns:%s:%s:%s" % (region, acct, n),
        "logs": "arn:aws:logs:%s:%s:log-group:/aws/%s:*" % (region, acct, n),
        "kms": "arn:aws:kms:%s:%s:key/%08x-%04x-%04x-%04x-%012x" % (
            region, acct, rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(16),
            rng.getrandbits(16), rng.getrandbits(48)),
        "iam": "arn:aws:iam::%s:role/%s" % (acct, n),
        "secretsmanager": "arn:aws:secretsmanager:%s:%s:secret:%s-*" % (region, acct, n),
        "lambda": "arn:aws:lambda:%s:%s:function:%s" % (region, acct, n),
        "sts": "arn:aws:iam::%s:role/%s" % (some_account(rng), n),
    }.get(service, "*")


def permission_statement(rng, acct, i):
    service = rng.choice(list(ACTIONS))
    r = rng.random()
    if r < 0.03:
        actions, resources = ["*"], ["*"]
    elif r < 0.1:
        actions, resources = ["%s:*" % service], ["*"]
    else:
        picked = rng.sample(ACTIONS[service], rng.randint(1, min(6, len(ACTIONS[service]))))
        actions = ["%s:%s" % (service, a) for a in picked]
        resources = [resource_for(rng, service, acct) for _ in range(rng.randint(1, 4))]
    st = {"Sid": "Stmt%d" % i, "Effect": "Deny" if rng.random() < 0.08 else "Allow",
          "Action": one_or_list(actions), "Resource": one_or_list(resources)}
    if rng.random() < 0.15:
        st["Condition"] = {"StringEquals": {"aws:RequestedRegion": rng.choice(REGIONS)}}
    return st


def permission_policy(rng, acct):
    count = rng.choice([1, 1, 1, 2, 2, 3, 4])
    return {"Version": "2012-10-17",
            "Statement": [permission_statement(rng, acct, i) for i in range(count)]}


def pretty(doc):
    return json.dumps(doc, indent=4) + "\n"


def bounded(rng, make, acct, lo=300, hi=3000):
    """Draw documents until one pretty-prints to between lo and hi bytes.

    A too-small document first gets a Sid on each statement, then more
    statements of the same kind, rather than being discarded, so short
    trusts are not under-represented.
    """
    while True:
        doc = make(rng, acct)
        if len(pretty(doc)) < lo:
            for i, st in enumerate(doc["Statement"]):
                if "Sid" not in st:  # rebuild so that Sid comes first, as people write it
                    doc["Statement"][i] = dict({"Sid": "AllowAssumeRole%d" % i}, **st)
        while len(pretty(doc)) < lo:
            doc["Statement"].extend(make(rng, acct)["Statement"])
            for i, st in enumerate(doc["Statement"]):  # keep Sids unique
                if "Sid" in st:
                    st["Sid"] = st["Sid"].rstrip(string.digits) + str(i)
        if len(pretty(doc)) <= hi:
            return doc


# ------------------------------------------------------------------- corpus parts

def write_policies(rng, out_dir, count):
    for i in range(count):
        team = TEAMS[i % len(TEAMS)]
        acct = rng.choice(ORG_ACCOUNTS)
        if rng.random() < 0.7:
            doc, kind = bounded(rng, trust_policy, acct), "trust"
        else:
            doc, kind = bounded(rng, permission_policy, acct), "perm"
        path = os.path.join(out_dir, team, "%s-%05d.json" % (kind, i))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(pretty(doc))


def managed_ref(rng, managed):
    if managed and rng.random() < 0.6:
        p = rng.choice(managed)
        return {"PolicyName": p["PolicyName"], "PolicyArn": p["Arn"]}
    aws = rng.choice(["ReadOnlyAccess", "AmazonS3ReadOnlyAccess", "AdministratorAccess",
                      "AWSLambdaBasicExecutionRole", "AmazonEC2ContainerRegistryReadOnly"])
    return {"PolicyName": aws, "PolicyArn": "arn:aws:iam::aws:policy/" + aws}


def inline_policies(rng, acct, max_count):
    return [{"PolicyName": "%s-inline-%d" % (rng.choice(WORDS), i),
             "PolicyDocument": permission_policy(rng, acct)}
            for i in range(rng.randint(0, max_count))]


def make_managed(rng, i, acct):
    pname = "%s-policy-%d" % (name(rng), i)
    created = date(rng)
    return {"PolicyName": pname, "PolicyId": rid(rng, "ANPA"),
            "Arn": "arn:aws:iam::%s:policy/%s" % (acct, pname), "Path": "/",
            "DefaultVersionId": "v1", "AttachmentCount": rng.randint(0, 40),
            "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
            "CreateDate": created, "UpdateDate": created,
            "PolicyVersionList": [{"Document": permission_policy(rng, acct), "VersionId": "v1",
                                   "IsDefaultVersion": True, "CreateDate": created}]}


def make_group(rng, i, acct, managed):
    gname = "%s-group-%d" % (rng.choice(TEAMS), i)
    return {"Path": "/", "GroupName": gname, "GroupId": rid(rng, "AGPA"),
            "Arn": "arn:aws:iam::%s:group/%s" % (acct, gname), "CreateDate": date(rng),
            "GroupPolicyList": inline_policies(rng, acct, 1),
            "AttachedManagedPolicies": [managed_ref(rng, managed) for _ in range(rng.randint(0, 2))]}


def make_user(rng, i, acct, managed, groups):
    uname = "%s.%s%d" % (rng.choice(WORDS), rng.choice(TEAMS), i)
    return {"Path": "/", "UserName": uname, "UserId": rid(rng, "AIDA"),
            "Arn": "arn:aws:iam::%s:user/%s" % (acct, uname), "CreateDate": date(rng),
            "UserPolicyList": inline_policies(rng, acct, 1),
            "GroupList": [g["GroupName"] for g in rng.sample(groups, rng.randint(0, 3))],
            "AttachedManagedPolicies": [managed_ref(rng, managed) for _ in range(rng.randint(0, 2))],
            "Tags": []}


def make_role(rng, i, acct, managed):
    rname = "%s-%d" % (name(rng), i)
    path = "/" if rng.random() < 0.85 else "/service-role/"
    trust = trust_policy(rng, acct)
    if rng.random() < 0.05:
        # The raw IAM API returns policy documents URL-encoded.
        trust = urllib.parse.quote(json.dumps(trust, separators=(",", ":")), safe="")
    return {"Path": path, "RoleName": rname, "RoleId": rid(rng, "AROA"),
            "Arn": "arn:aws:iam::%s:role%s%s" % (acct, path, rname), "CreateDate": date(rng),
            "AssumeRolePolicyDocument": trust, "InstanceProfileList": [],
            "RolePolicyList": inline_policies(rng, acct, 2),
            "AttachedManagedPolicies": [managed_ref(rng, managed) for _ in range(rng.randint(0, 3))],
            "Tags": [], "RoleLastUsed": {}}


def write_list(f, key, items, last=False):
    """Write `"key": [ ... ]` at depth 1, indented as `aws ... --output json` does."""
    f.write('    "%s": [' % key)
    empty = True
    for item in items:
        f.write("\n" if empty else ",\n")
        f.write("\n".join("        " + line for line in json.dumps(item, indent=4).split("\n")))
        empty = False
    f.write("]" if empty else "\n    ]")
    f.write("\n" if last else ",\n")


def write_gaad(rng, path, roles):
    """Stream one GAAD export to `path`; roles are generated lazily to bound memory.

    Users, groups and managed policies scale with the roles: 20,000 roles come
    with 2,000 users, 200 groups and 500 customer managed policies.
    """
    users, groups, policies = roles // 10, roles // 100, roles // 40
    acct = HOME_ACCOUNT
    managed = [make_managed(rng, i, acct) for i in range(policies)]
    group_list = [make_group(rng, i, acct, managed) for i in range(groups)]
    user_list = [make_user(rng, i, acct, managed, group_list) for i in range(users)]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("{\n")
        write_list(f, "UserDetailList", user_list)
        write_list(f, "GroupDetailList", group_list)
        write_list(f, "RoleDetailList", (make_role(rng, i, acct, managed) for i in range(roles)))
        write_list(f, "Policies", managed)
        f.write('    "IsTruncated": false\n}\n')


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", nargs="?", default=os.path.join(here, "corpus"),
                    help="output directory (default: bench/corpus)")
    ap.add_argument("--policies", type=int, default=10000, help="number of policy files")
    ap.add_argument("--roles", type=int, default=20000, help="roles in gaad-<roles>.json")
    ap.add_argument("--big", action="store_true", help="also write gaad/gaad-200mb.json")
    ap.add_argument("--gaad-mb", type=int, nargs="+", metavar="MB",
                    help="write only gaad/gaad-<MB>mb.json exports of about MB megabytes each")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()

    if args.gaad_mb:
        for mb in args.gaad_mb:
            path = os.path.join(args.out, "gaad", "gaad-%dmb.json" % mb)
            if not os.path.exists(path):
                # ~305 roles (with their share of users, groups and managed
                # policies) per megabyte; one seed per size.
                write_gaad(random.Random(args.seed + mb), path, mb * 305)
            print(path)
        return

    rng = random.Random(args.seed)
    write_policies(rng, os.path.join(args.out, "policies"), args.policies)
    write_gaad(rng, os.path.join(args.out, "gaad", "gaad-%d.json" % args.roles), args.roles)
    if args.big:
        # 20,000 roles make ~65 MB, so ~61,000 roles make ~200 MB.
        write_gaad(random.Random(args.seed + 1), os.path.join(args.out, "gaad", "gaad-200mb.json"), 61000)
    # run.sh regenerates the corpus unless this stamp exists.
    with open(os.path.join(args.out, "COMPLETE"), "w") as f:
        f.write("seed %d, %d policies, %d roles%s\n" % (
            args.seed, args.policies, args.roles, ", big" if args.big else ""))
    print("corpus written to %s" % args.out)


if __name__ == "__main__":
    main()
