#!/usr/bin/env python3
"""Generate a synthetic, deterministic infrastructure-as-code repository.

Writes, for each size, into OUT/iac-<size>/ (default OUT: bench/corpus):

  cloudformation/<team>/<stack>.yaml   CloudFormation templates in YAML with
                                       short-form tags (!Sub, !Ref, !GetAtt),
                                       each with 2-5 AWS::IAM::Role resources
                                       and a few other resources
  terraform/<team>/<module>/main.tf    one Terraform module per file: variables
                                       with defaults, aws_iam_role resources
                                       with jsonencode() trust policies or
                                       data "aws_iam_policy_document" ones
  planted.json                         every role with the trust risks planted
                                       in it, to compare findings against

Sizes: "100" (100 templates + 100 .tf files) and "1k" (1,000 + 1,000).

The roles trust AWS services, their own account
(`!Sub arn:aws:iam::${AWS::AccountId}:root`,
`data.aws_caller_identity.current.account_id`), third-party accounts with and
without `sts:ExternalId`, GitHub Actions through OIDC with subject conditions
that pin a repository or organization and ones that do not, and `*` with and
without an organization condition. Some allow 12-hour sessions.

Planted risks (planted.json, per role):

  wildcard-principal           any AWS principal of any account can assume it
  cross-account-no-external-id a third-party account can assume it without an
                               external id
  oidc-unrestricted-subject    any GitHub repository's workflows can assume it
  long-session                 MaxSessionDuration / max_session_duration 43200

Everything comes from one seeded random.Random per size, so the output is
byte-for-byte identical between runs. Python standard library only.
"""

import argparse
import json
import os
import random
import re
import shutil

SEED = 20241123
SIZES = {"100": 100, "1k": 1000}

ORG_ID = "o-a1b2c3d4e5"
# Outside accounts: vendors, partners, a SaaS monitoring service.
VENDORS = {
    "datadog": "464622532012", "scanner": "444455556666", "partner": "999988887777",
    "billing": "123456789012", "backup": "777788889999",
}
SERVICES = [
    "lambda.amazonaws.com", "ecs-tasks.amazonaws.com", "ec2.amazonaws.com",
    "states.amazonaws.com", "events.amazonaws.com", "codebuild.amazonaws.com",
    "glue.amazonaws.com", "firehose.amazonaws.com",
]
GITHUB_ORGS = ["acme", "acme-infra", "example-corp"]
REPOS = ["api", "web", "infra", "deploy", "data-pipeline", "billing", "mobile"]
TEAMS = ["platform", "data", "payments", "search", "identity", "ml", "ops", "web"]
WORDS = ["app", "worker", "deploy", "reader", "writer", "etl", "backup", "audit",
         "ingest", "export", "sync", "runner", "scheduler", "report", "cache"]
PERMISSIONS = [
    ("s3", ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]),
    ("dynamodb", ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]),
    ("sqs", ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"]),
    ("logs", ["logs:CreateLogStream", "logs:PutLogEvents"]),
    ("kms", ["kms:Decrypt", "kms:GenerateDataKey"]),
    ("secretsmanager", ["secretsmanager:GetSecretValue"]),
]
GITHUB_ISSUER = "token.actions.githubusercontent.com"
SUB = GITHUB_ISSUER + ":sub"
AUD = GITHUB_ISSUER + ":aud"

# Role kinds: (name, weight, planted risk or None).
KINDS = [
    ("service", 30, None),
    ("same-account", 14, None),
    ("vendor-external-id", 12, None),
    ("vendor-no-external-id", 10, "cross-account-no-external-id"),
    ("github-pinned", 14, None),
    ("github-open", 8, "oidc-unrestricted-subject"),
    ("wildcard-org", 6, None),
    ("wildcard-open", 4, "wildcard-principal"),
]
LONG_SESSION = 0.12  # share of roles with MaxSessionDuration 43200


# ----------------------------------------------------------------- the trusts
#
# A trust is drawn once as a neutral description (kind, variant, values) and
# then written out in CloudFormation or Terraform form.

def vendor_principal(t):
    """The vendor's principal written literally (root ARN, bare id, role ARN);
    None for the parameter / variable form, which each format writes itself."""
    acct, form = VENDORS[t["vendor"]], t["form"]
    if form == "root":
        return "arn:aws:iam::%s:root" % acct
    if form == "bare":
        return acct
    if form == "role":
        return "arn:aws:iam::%s:role/%s-integration" % (acct, t["vendor"])
    return None


def draw_trust(rng):
    names, weights, risks = zip(*KINDS)
    i = rng.choices(range(len(KINDS)), weights)[0]
    kind, risk = names[i], risks[i]
    t = {"kind": kind, "risk": risk}
    if kind == "service":
        t["services"] = rng.sample(SERVICES, rng.choice([1, 1, 1, 2]))
        t["variant"] = rng.choice(["plain", "plain", "source-account"])
    elif kind == "same-account":
        t["variant"] = rng.choice(["root", "root", "root-mfa", "sibling-role"])
    elif kind.startswith("vendor"):
        t["vendor"] = rng.choice(sorted(VENDORS))
        t["external_id"] = "%08x-%04x-%04x" % (rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(16))
        # How the account is written: a literal root ARN, a bare id, a role
        # ARN, or a parameter / variable with a default.
        t["form"] = rng.choice(["root", "root", "bare", "role", "param"])
        if kind == "vendor-no-external-id":
            t["variant"] = rng.choice(["no-condition", "no-condition", "mfa-only"])
        else:
            t["variant"] = "external-id"
    elif kind.startswith("github"):
        t["org"], t["repo"] = rng.choice(GITHUB_ORGS), rng.choice(REPOS)
        t["provider"] = rng.choice(["resource", "arn"])
        t["form"] = "provider-" + t["provider"]
        if kind == "github-pinned":
            t["variant"] = rng.choice(["branch", "repo-any-ref", "org-any-repo", "environment", "param-branch"])
        else:
            t["variant"] = rng.choice(["repo-star", "star", "no-sub", "org-prefix", "one-open-in-list"])
    elif kind == "wildcard-org":
        t["variant"] = rng.choice(["org-id", "org-id", "principal-account"])
    else:
        t["variant"] = rng.choice(["aws-star", "aws-star", "aws-star-list", "org-like-star"])
    return t


def github_condition(t, sub_fmt):
    """The Condition block of a GitHub trust; sub_fmt formats a subject pattern."""
    org, repo = t["org"], t["repo"]
    v = t["variant"]
    aud = {AUD: "sts.amazonaws.com"}
    if v == "branch":
        return {"StringEquals": dict(aud, **{SUB: "repo:%s/%s:ref:refs/heads/main" % (org, repo)})}
    if v == "repo-any-ref":
        return {"StringEquals": aud, "StringLike": {SUB: "repo:%s/%s:*" % (org, repo)}}
    if v == "org-any-repo":
        return {"StringEquals": aud, "StringLike": {SUB: "repo:%s/*" % org}}
    if v == "environment":
        return {"StringEquals": dict(aud, **{SUB: "repo:%s/%s:environment:production" % (org, repo)})}
    if v == "param-branch":
        return {"StringEquals": aud, "StringLike": {SUB: sub_fmt("repo:{org}/{repo}:ref:refs/heads/main")}}
    if v == "repo-star":
        return {"StringEquals": aud, "StringLike": {SUB: "repo:*"}}
    if v == "star":
        return {"StringLike": {SUB: "*", AUD: "sts.amazonaws.com"}}
    if v == "no-sub":
        return {"StringEquals": aud}
    if v == "org-prefix":  # `repo:acme*` is matched by the organization `acme-evil`
        return {"StringEquals": aud, "StringLike": {SUB: "repo:%s*" % org}}
    # one-open-in-list
    return {"StringEquals": aud,
            "StringLike": {SUB: ["repo:%s/%s:ref:refs/heads/main" % (org, repo), "repo:*:environment:production"]}}


def statement(principal, action, condition=None):
    st = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        st["Condition"] = condition
    return st


# ------------------------------------------------------------ CloudFormation

class Tag:
    """A short-form intrinsic function: !Sub, !Ref, !GetAtt."""

    def __init__(self, tag, value):
        self.tag, self.value = tag, value


PLAIN = re.compile(r"[A-Za-z/][A-Za-z0-9_.:/@${}*+=,-]*")
YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def scalar(v):
    if isinstance(v, Tag):
        return "%s %s" % (v.tag, scalar(v.value))
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if PLAIN.fullmatch(v) and not v.endswith(":") and ": " not in v and v.lower() not in YAML_WORDS:
        return v
    return json.dumps(v)


def yaml_lines(v, indent=0):
    pad = " " * indent
    out = []
    if isinstance(v, dict):
        for k, val in v.items():
            if isinstance(val, (dict, list)) and val:
                out.append("%s%s:" % (pad, scalar(k)))
                out.extend(yaml_lines(val, indent + 2))
            elif isinstance(val, (dict, list)):
                out.append("%s%s: %s" % (pad, scalar(k), "{}" if isinstance(val, dict) else "[]"))
            else:
                out.append("%s%s: %s" % (pad, scalar(k), scalar(val)))
    else:
        for item in v:
            if isinstance(item, (dict, list)) and item:
                sub = yaml_lines(item, indent + 2)
                sub[0] = pad + "- " + sub[0][indent + 2:]
                out.extend(sub)
            else:
                out.append("%s- %s" % (pad, scalar(item)))
    return out


def cfn_trust(t, params, provider_id):
    """The AssumeRolePolicyDocument of a trust, and the template parameters it needs."""
    kind, v = t["kind"], t["variant"]
    if kind == "service":
        principal = {"Service": t["services"][0] if len(t["services"]) == 1 else t["services"]}
        cond = ({"StringEquals": {"aws:SourceAccount": Tag("!Ref", "AWS::AccountId")}}
                if v == "source-account" else None)
        sts = [statement(principal, "sts:AssumeRole", cond)]
    elif kind == "same-account":
        if v == "sibling-role":
            principal = {"AWS": Tag("!GetAtt", "%s.Arn" % t["sibling"])}
        else:
            principal = {"AWS": Tag("!Sub", "arn:aws:iam::${AWS::AccountId}:root")}
        cond = {"Bool": {"aws:MultiFactorAuthPresent": "true"}} if v == "root-mfa" else None
        sts = [statement(principal, "sts:AssumeRole", cond)]
    elif kind.startswith("vendor"):
        acct, form = VENDORS[t["vendor"]], t["form"]
        aws = vendor_principal(t)
        if aws is None:
            pname = "%sAccountId" % t["vendor"].capitalize()
            params[pname] = {"Type": "String", "Default": acct,
                             "Description": "The %s AWS account" % t["vendor"]}
            aws = Tag("!Sub", "arn:aws:iam::${%s}:root" % pname)
        if v == "external-id":
            cond = {"StringEquals": {"sts:ExternalId": t["external_id"]}}
        elif v == "mfa-only":
            cond = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        else:
            cond = None
        sts = [statement({"AWS": aws}, "sts:AssumeRole", cond)]
    elif kind.startswith("github"):
        if t["provider"] == "resource" and provider_id:
            federated = Tag("!Ref", provider_id)
        else:
            federated = Tag("!Sub", "arn:aws:iam::${AWS::AccountId}:oidc-provider/" + GITHUB_ISSUER)

        def sub_fmt(fmt):
            params["GitHubOrg"] = {"Type": "String", "Default": t["org"]}
            params["RepoName"] = {"Type": "String", "Default": t["repo"]}
            return Tag("!Sub", fmt.replace("{org}", "${GitHubOrg}").replace("{repo}", "${RepoName}"))

        sts = [statement({"Federated": federated}, "sts:AssumeRoleWithWebIdentity",
                         github_condition(t, sub_fmt))]
    elif kind == "wildcard-org":
        cond = ({"StringEquals": {"aws:PrincipalOrgID": ORG_ID}} if v == "org-id"
                else {"StringEquals": {"aws:PrincipalAccount": Tag("!Ref", "AWS::AccountId")}})
        sts = [statement({"AWS": "*"}, "sts:AssumeRole", cond)]
    else:
        if v == "aws-star-list":
            sts = [statement({"AWS": ["*"]}, ["sts:AssumeRole", "sts:TagSession"])]
        elif v == "org-like-star":
            sts = [statement({"AWS": "*"}, "sts:AssumeRole", {"StringLike": {"aws:PrincipalOrgID": "o-*"}})]
        else:
            sts = [statement({"AWS": "*"}, "sts:AssumeRole")]
    return {"Version": "2012-10-17", "Statement": sts}


def inline_policy(rng, word):
    """An inline permission policy: a few scoped statements, now and then a broad one."""
    statements = []
    for service, actions in rng.sample(PERMISSIONS, rng.randint(1, 3)):
        if rng.random() < 0.08:
            statements.append({"Effect": "Allow", "Action": "%s:*" % service, "Resource": "*"})
            continue
        res = "arn:aws:%s:*:*:%s-%s" % (service, word, rng.choice(WORDS))
        if service == "s3":
            res = "arn:aws:s3:::%s-%s/*" % (word, rng.choice(WORDS))
        statements.append({"Effect": "Allow", "Action": rng.sample(actions, rng.randint(1, len(actions))),
                           "Resource": res})
    return {"Version": "2012-10-17", "Statement": statements}


def camel(*parts):
    return "".join(p.replace("-", " ").title().replace(" ", "") for p in parts)


def cfn_template(rng, team, stack, index):
    params, resources, roles = {}, {}, []
    trusts = [draw_trust(rng) for _ in range(rng.randint(2, 5))]
    provider_id = None
    if any(t["kind"].startswith("github") and t["provider"] == "resource" for t in trusts):
        provider_id = "GitHubOidcProvider"
        resources[provider_id] = {"Type": "AWS::IAM::OIDCProvider", "Properties": {
            "Url": "https://" + GITHUB_ISSUER, "ClientIdList": ["sts.amazonaws.com"],
            "ThumbprintList": ["6938fd4d98bab03faadb97b34396831e3780aea1"]}}
    used = set()
    for n, t in enumerate(trusts):
        word = rng.choice(WORDS)
        logical = camel(word, t["kind"].split("-")[0], "Role")
        while logical in used:
            logical = logical[:-4] + "%dRole" % n
        used.add(logical)
        if t["kind"] == "same-account" and t["variant"] == "sibling-role":
            if not roles:  # nothing to point at yet
                t["variant"] = "root"
            else:
                t["sibling"] = roles[-1]["logical"]
        props = {}
        if rng.random() < 0.5:
            props["RoleName"] = Tag("!Sub", "${AWS::StackName}-%s-%d" % (word, n))
        if rng.random() < 0.3:
            props["Path"] = "/%s/" % team
        props["Description"] = "%s %s role of %s" % (team, word, stack)
        props["AssumeRolePolicyDocument"] = cfn_trust(t, params, provider_id)
        long_session = rng.random() < LONG_SESSION
        if long_session:
            props["MaxSessionDuration"] = 43200
        elif rng.random() < 0.2:
            props["MaxSessionDuration"] = 3600
        if rng.random() < 0.6:
            props["ManagedPolicyArns"] = [Tag("!Sub", "arn:${AWS::Partition}:iam::aws:policy/%s" % rng.choice(
                ["ReadOnlyAccess", "service-role/AWSLambdaBasicExecutionRole",
                 "AmazonS3ReadOnlyAccess", "CloudWatchLogsReadOnlyAccess"]))]
        if rng.random() < 0.7:
            props["Policies"] = [{"PolicyName": "%s-access" % word,
                                  "PolicyDocument": inline_policy(rng, word)}]
        props["Tags"] = [{"Key": "team", "Value": team}]
        resources[logical] = {"Type": "AWS::IAM::Role", "Properties": props}
        risks = [t["risk"]] if t["risk"] else []
        if long_session:
            risks.append("long-session")
        roles.append({"logical": logical, "kind": t["kind"], "variant": t["variant"],
                      "form": t.get("form"), "risks": risks})
    # Other resources, for realism: what the roles are for.
    for role in roles:
        if role["kind"] == "service" and rng.random() < 0.6:
            fn = role["logical"][:-4] + "Function"
            resources[fn] = {"Type": "AWS::Lambda::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "index.handler", "Timeout": 30,
                "Role": Tag("!GetAtt", "%s.Arn" % role["logical"]),
                "Code": {"ZipFile": "def handler(event, context):\n    return event\n"}}}
    if rng.random() < 0.5:
        bucket = {"BucketName": Tag("!Sub", "${AWS::StackName}-%s-data" % team)}
        if rng.random() < 0.6:
            bucket["BucketEncryption"] = {"ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]}
        resources["DataBucket"] = {"Type": "AWS::S3::Bucket", "Properties": bucket}
    if rng.random() < 0.3:
        resources["WorkQueue"] = {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60}}
    doc = {"AWSTemplateFormatVersion": "2010-09-09",
           "Description": "%s: %s roles (stack %d)" % (team, stack, index)}
    if params:
        doc["Parameters"] = params
    doc["Resources"] = resources
    doc["Outputs"] = {roles[0]["logical"] + "Arn": {"Value": Tag("!GetAtt", roles[0]["logical"] + ".Arn")}}
    text = "\n".join(yaml_lines(doc)) + "\n"
    # Code.ZipFile holds a newline: write it as a literal block.
    text = text.replace(json.dumps("def handler(event, context):\n    return event\n"),
                        "|\n" + " " * 10 + "def handler(event, context):\n" + " " * 10 + "    return event")
    return text, roles


# ------------------------------------------------------------------ Terraform

class Expr:
    """A raw HCL expression (a reference), written without quotes."""

    def __init__(self, text):
        self.text = text


IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def hcl(v, indent):
    pad = " " * indent
    if isinstance(v, Expr):
        return v.text
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        if all(not isinstance(x, (dict, list)) for x in v):
            return "[" + ", ".join(hcl(x, indent) for x in v) + "]"
        return "[\n" + ",\n".join(pad + "  " + hcl(x, indent + 2) for x in v) + ",\n" + pad + "]"
    keys = [k if IDENT.fullmatch(k) else json.dumps(k) for k in v]
    width = max(len(k) for k in keys)
    lines = ["%s  %s = %s" % (pad, k.ljust(width), hcl(val, indent + 2)) for k, val in zip(keys, v.values())]
    return "{\n" + "\n".join(lines) + "\n" + pad + "}"


def tf_trust(t, variables, name, needs):
    """(assume_role_policy expression, extra blocks) for a trust."""
    kind, v = t["kind"], t["variant"]
    self_account = "${data.aws_caller_identity.current.account_id}"
    if kind == "service":
        svc = t["services"][0] if len(t["services"]) == 1 else t["services"]
        cond = ({"StringEquals": {"aws:SourceAccount": Expr("data.aws_caller_identity.current.account_id")}}
                if v == "source-account" else None)
        if cond:
            needs.add("caller")
        doc_st = statement({"Service": svc}, "sts:AssumeRole", cond)
    elif kind == "same-account":
        needs.add("caller")
        if v == "sibling-role":
            principal = {"AWS": Expr("aws_iam_role.%s.arn" % t["sibling"])}
        else:
            principal = {"AWS": "arn:aws:iam::%s:root" % self_account}
        cond = {"Bool": {"aws:MultiFactorAuthPresent": "true"}} if v == "root-mfa" else None
        doc_st = statement(principal, "sts:AssumeRole", cond)
    elif kind.startswith("vendor"):
        acct, form = VENDORS[t["vendor"]], t["form"]
        aws = vendor_principal(t)
        if aws is None:
            vname = "%s_account_id" % t["vendor"]
            variables[vname] = ("string", "The %s AWS account" % t["vendor"], acct)
            aws = "arn:aws:iam::${var.%s}:root" % vname
        if v == "external-id":
            variables["%s_external_id" % t["vendor"]] = ("string", "External id agreed with %s" % t["vendor"],
                                                        t["external_id"])
            cond = {"StringEquals": {"sts:ExternalId": Expr("var.%s_external_id" % t["vendor"])}}
        elif v == "mfa-only":
            cond = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        else:
            cond = None
        doc_st = statement({"AWS": aws}, "sts:AssumeRole", cond)
    elif kind.startswith("github"):
        if t["provider"] == "resource":
            needs.add("provider")
            federated = Expr("aws_iam_openid_connect_provider.github.arn")
        else:
            needs.add("caller")
            federated = "arn:aws:iam::%s:oidc-provider/%s" % (self_account, GITHUB_ISSUER)

        def sub_fmt(fmt):
            variables["github_org"] = ("string", "GitHub organization that deploys", t["org"])
            variables["github_repo"] = ("string", "Repository that deploys", t["repo"])
            return fmt.replace("{org}", "${var.github_org}").replace("{repo}", "${var.github_repo}")

        doc_st = statement({"Federated": federated}, "sts:AssumeRoleWithWebIdentity",
                           github_condition(t, sub_fmt))
    elif kind == "wildcard-org":
        if v == "org-id":
            cond = {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}
        else:
            needs.add("caller")
            cond = {"StringEquals": {"aws:PrincipalAccount": Expr("data.aws_caller_identity.current.account_id")}}
        doc_st = statement({"AWS": "*"}, "sts:AssumeRole", cond)
    else:
        if v == "aws-star-list":
            doc_st = statement({"AWS": ["*"]}, ["sts:AssumeRole", "sts:TagSession"])
        elif v == "org-like-star":
            doc_st = statement({"AWS": "*"}, "sts:AssumeRole", {"StringLike": {"aws:PrincipalOrgID": "o-*"}})
        else:
            doc_st = statement({"AWS": "*"}, "sts:AssumeRole")

    if t["style"] == "jsonencode":
        doc = {"Version": "2012-10-17", "Statement": [doc_st]}
        return "jsonencode(%s)" % hcl(doc, 2), None
    # data "aws_iam_policy_document"
    lines = ['data "aws_iam_policy_document" "%s_trust" {' % name, "  statement {",
             "    effect  = \"Allow\""]
    actions = doc_st["Action"] if isinstance(doc_st["Action"], list) else [doc_st["Action"]]
    lines.append("    actions = %s" % hcl(actions, 4))
    for ptype, ids in doc_st["Principal"].items():
        ids = ids if isinstance(ids, list) else [ids]
        lines += ["", "    principals {", "      type        = %s" % json.dumps(ptype),
                  "      identifiers = %s" % hcl(ids, 6), "    }"]
    for test, pairs in doc_st.get("Condition", {}).items():
        for key, values in pairs.items():
            values = values if isinstance(values, list) else [values]
            lines += ["", "    condition {", "      test     = %s" % json.dumps(test),
                      "      variable = %s" % json.dumps(key), "      values   = %s" % hcl(values, 6), "    }"]
    lines += ["  }", "}"]
    return "data.aws_iam_policy_document.%s_trust.json" % name, "\n".join(lines)


def tf_module(rng, team, module):
    variables, needs, blocks, roles = {}, set(), [], []
    trusts = [draw_trust(rng) for _ in range(rng.randint(2, 5))]
    used = set()
    for n, t in enumerate(trusts):
        word = rng.choice(WORDS)
        name = "%s_%s" % (word, t["kind"].split("-")[0])
        while name in used:
            name = "%s_%d" % (name, n)
        used.add(name)
        t["style"] = "jsonencode" if rng.random() < 0.6 else "document"
        if t["kind"] == "same-account" and t["variant"] == "sibling-role":
            if not roles:
                t["variant"] = "root"
            else:
                t["sibling"] = roles[-1]["name"]
        policy, data = tf_trust(t, variables, name, needs)
        long_session = rng.random() < LONG_SESSION
        lines = ['resource "aws_iam_role" "%s" {' % name,
                 '  name = "${var.environment}-%s-%s-%d"' % (module, word, n)]
        if rng.random() < 0.3:
            lines.append('  path = "/%s/"' % team)
        if long_session:
            if rng.random() < 0.3:
                variables["session_seconds"] = ("number", "Longest session of the operator roles", 43200)
                lines.append("  max_session_duration = var.session_seconds")
            else:
                lines.append("  max_session_duration = 43200")
        lines += ["", "  assume_role_policy = %s" % policy]
        if rng.random() < 0.4:
            lines += ["", "  inline_policy {", '    name   = "%s-access"' % word,
                      "    policy = %s" % "jsonencode(%s)" % hcl(inline_policy(rng, word), 4), "  }"]
        lines += ["", "  tags = {", '    team = "%s"' % team, "  }", "}"]
        if data:
            blocks.append(data)
        blocks.append("\n".join(lines))
        if rng.random() < 0.4:
            blocks.append("\n".join([
                'resource "aws_iam_role_policy" "%s" {' % name,
                '  name   = "%s-extra"' % word,
                "  role   = aws_iam_role.%s.id" % name,
                "  policy = jsonencode(%s)" % hcl(inline_policy(rng, word), 2), "}"]))
        if rng.random() < 0.5:
            blocks.append("\n".join([
                'resource "aws_iam_role_policy_attachment" "%s" {' % name,
                "  role       = aws_iam_role.%s.name" % name,
                '  policy_arn = "arn:aws:iam::aws:policy/%s"' % rng.choice(
                    ["ReadOnlyAccess", "AmazonS3ReadOnlyAccess", "CloudWatchLogsReadOnlyAccess"]),
                "}"]))
        risks = [t["risk"]] if t["risk"] else []
        if long_session:
            risks.append("long-session")
        roles.append({"name": name, "kind": t["kind"], "variant": t["variant"], "form": t.get("form"),
                      "style": t["style"], "risks": risks})
    if rng.random() < 0.5:
        blocks.append("\n".join([
            'resource "aws_s3_bucket" "data" {',
            '  bucket = "${var.environment}-%s-data"' % module, "}"]))
    head = ['variable "environment" {', "  type    = string", '  default = "prod"', "}"]
    for vname, (vtype, desc, default) in sorted(variables.items()):
        head += ["", 'variable "%s" {' % vname, "  type        = %s" % vtype,
                 "  description = %s" % json.dumps(desc), "  default     = %s" % hcl(default, 2), "}"]
    if "caller" in needs:
        head += ["", 'data "aws_caller_identity" "current" {}']
    if "provider" in needs:
        head += ["", 'resource "aws_iam_openid_connect_provider" "github" {',
                 '  url             = "https://%s"' % GITHUB_ISSUER,
                 '  client_id_list  = ["sts.amazonaws.com"]',
                 '  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1"]', "}"]
    text = "# %s: IAM roles of the %s module.\n\n" % (team, module)
    text += "\n".join(head) + "\n\n" + "\n\n".join(blocks) + "\n"
    return text, roles


# ------------------------------------------------------------------- the repo

def write_repo(out, count, seed):
    rng = random.Random(seed)
    planted = []
    for i in range(count):
        team = TEAMS[i % len(TEAMS)]
        stack = "%s-%s-%04d" % (rng.choice(WORDS), rng.choice(WORDS), i)
        rel = os.path.join("cloudformation", team, stack + ".yaml")
        text, roles = cfn_template(rng, team, stack, i)
        os.makedirs(os.path.join(out, os.path.dirname(rel)), exist_ok=True)
        with open(os.path.join(out, rel), "w") as f:
            f.write(text)
        for r in roles:
            planted.append({"file": rel, "resource": r["logical"], "format": "cloudformation",
                            "kind": r["kind"], "variant": r["variant"], "form": r["form"],
                            "risks": r["risks"]})
    for i in range(count):
        team = TEAMS[i % len(TEAMS)]
        module = "%s-%s-%04d" % (rng.choice(WORDS), rng.choice(WORDS), i)
        rel = os.path.join("terraform", team, module, "main.tf")
        text, roles = tf_module(rng, team, module)
        os.makedirs(os.path.join(out, os.path.dirname(rel)), exist_ok=True)
        with open(os.path.join(out, rel), "w") as f:
            f.write(text)
        for r in roles:
            planted.append({"file": rel, "resource": "aws_iam_role." + r["name"], "format": "terraform",
                            "kind": r["kind"], "variant": r["variant"], "form": r["form"],
                            "style": r["style"], "risks": r["risks"]})
    totals = {}
    for p in planted:
        for risk in p["risks"]:
            totals[risk] = totals.get(risk, 0) + 1
    with open(os.path.join(out, "planted.json"), "w") as f:
        json.dump({"seed": seed, "templates": count, "terraform_files": count, "roles": len(planted),
                   "totals": dict(sorted(totals.items())), "roles_detail": planted}, f, indent=1)
        f.write("\n")
    return len(planted), totals


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", nargs="?", default=os.path.join(here, "corpus"),
                    help="output directory (default: bench/corpus); each size goes to OUT/iac-<size>")
    ap.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()
    for size in args.sizes:
        out = os.path.join(args.out, "iac-%s" % size)
        if os.path.exists(out):
            shutil.rmtree(out)
        # One generator per size, so that each repository is the same whichever sizes are asked for.
        roles, totals = write_repo(out, SIZES[size], "%d-%s" % (args.seed, size))
        with open(os.path.join(out, "COMPLETE"), "w") as f:
            f.write("seed %d, size %s\n" % (args.seed, size))
        print("%s: %d templates, %d .tf files, %d roles, planted %s" % (
            out, SIZES[size], SIZES[size], roles, json.dumps(totals)))


if __name__ == "__main__":
    main()
