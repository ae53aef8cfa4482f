#!/usr/bin/env python3
"""Drive projsync-emulator's Cost Explorer with botocore's own `ce` client.

botocore serialises, signs (SigV4, service ce, us-east-1) and parses every
request with AWS's service model, so what passes here is AWS's wire format,
not ours.  Usage: ce-botocore.py BASE_URL SCENARIO (see main()); the key is
AKIDEXAMPLE with the secret $BOTO_SECRET (default "secret").
"""
import os
import sys

import botocore
import botocore.config
import botocore.session
from botocore.exceptions import ClientError

BASE = sys.argv[1]
BEDROCK = ["Amazon Bedrock", "Claude Sonnet 4.5 (Amazon Bedrock Edition)",
           "OpenAI GPT-5.6 Sol (Amazon Bedrock Edition)"]


def client(region="us-east-1", attempts=1, akid="AKIDEXAMPLE",
           secret=os.environ.get("BOTO_SECRET", "secret"), token=None):
    cfg = botocore.config.Config(retries={"mode": "standard",
                                          "total_max_attempts": attempts})
    return botocore.session.get_session().create_client(
        "ce", region_name=region, endpoint_url=BASE, config=cfg,
        aws_access_key_id=akid, aws_secret_access_key=secret,
        aws_session_token=token)


def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)
    print("ok - " + what)


def code(fn, **kw):
    try:
        fn(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"]["Message"]
    return None, None


def all_pages(fn, **kw):
    """GetCostAndUsage / GetDimensionValues have no botocore paginator."""
    pages, token = [], None
    while True:
        args = dict(kw)
        if token:
            args["NextPageToken"] = token
        r = fn(**args)
        pages.append(r)
        token = r.get("NextPageToken")
        if not token:
            return pages


def sums(pages, metric="UnblendedCost"):
    """{(start, keys...): cents-exact Decimal} over every page."""
    from decimal import Decimal
    out = {}
    for p in pages:
        for rt in p["ResultsByTime"]:
            start = rt["TimePeriod"]["Start"]
            if rt["Groups"]:
                for g in rt["Groups"]:
                    k = (start,) + tuple(g["Keys"])
                    out[k] = out.get(k, Decimal(0)) + Decimal(
                        g["Metrics"][metric]["Amount"])
            elif rt["Total"]:
                k = (start,)
                out[k] = out.get(k, Decimal(0)) + Decimal(
                    rt["Total"][metric]["Amount"])
    return out


def total(d):
    from decimal import Decimal
    return sum(d.values(), Decimal(0))


def tags_and_backfill(c):
    # by hand: older botocore (Debian 12's 1.29) has no paginator for it
    tags, token = [], None
    while True:
        r = c.list_cost_allocation_tags(MaxResults=1, **(
            {"NextToken": token} if token else {}))
        tags += r["CostAllocationTags"]
        token = r.get("NextToken")
        if not token:
            break
    keys = [t["TagKey"] for t in tags]
    check(keys == ["Application", "CostCenter", "Environment", "Team"],
          "ListCostAllocationTags pages through every seen key: %s" % keys)
    status = {t["TagKey"]: t["Status"] for t in tags}
    check(status["Team"] == "Active" and status["Application"] == "Inactive",
          "statuses: --ce-active-tag Team is Active, the rest Inactive")
    # LastUsedDate is newer than Debian 12's botocore model: it drops
    # members its model does not know
    shape = c.meta.service_model.shape_for("CostAllocationTag")
    check(all(t["Type"] == "UserDefined" and (
        "LastUsedDate" in t or "LastUsedDate" not in shape.members)
        for t in tags), "UserDefined, with a LastUsedDate")
    r = c.list_cost_allocation_tags(TagKeys=["Team", "Owner"])
    check([t["TagKey"] for t in r["CostAllocationTags"]] == ["Team"],
          "TagKeys filter; an unseen key (Owner) is absent")
    r = c.list_cost_allocation_tags(Status="Inactive")
    check("Team" not in [t["TagKey"] for t in r["CostAllocationTags"]],
          "Status filter")

    r = c.update_cost_allocation_tags_status(CostAllocationTagsStatus=[
        {"TagKey": "Application", "Status": "Active"},
        {"TagKey": "Owner", "Status": "Active"}])
    check([(e["TagKey"], e["Code"]) for e in r["Errors"]] ==
          [("Owner", "TagKeysNotFoundException")],
          "update: a known and an unknown key -> 200 with per-key Errors")
    r = c.list_cost_allocation_tags(TagKeys=["Application"])
    check(r["CostAllocationTags"][0]["Status"] == "Active" and (
          "LastUpdatedDate" in r["CostAllocationTags"][0] or
          "LastUpdatedDate" not in shape.members),
          "the known key was activated")
    err, msg = code(c.update_cost_allocation_tags_status,
                    CostAllocationTagsStatus=[
                        {"TagKey": "Owner", "Status": "Active"},
                        {"TagKey": "Platform", "Status": "Active"}])
    check(err == "ValidationException" and
          msg.endswith("Tag keys not found: Owner,Platform"),
          "update: only unknown keys -> 400 ValidationException (%s)" % msg)
    err, _ = code(c.update_cost_allocation_tags_status,
                  CostAllocationTagsStatus=[
                      {"TagKey": "K%d" % i, "Status": "Active"}
                      for i in range(21)])
    check(err == "ValidationException", "update: 21 entries refused")

    if not hasattr(c, "start_cost_allocation_tag_backfill"):
        # the operations are newer than Debian 12's botocore (1.29)
        print("skip - botocore %s has no backfill operations" %
              botocore.__version__)
        return
    err, _ = code(c.start_cost_allocation_tag_backfill,
                  BackfillFrom="2026-11-15T00:00:00Z")
    check(err == "ValidationException", "backfill: not a month's first day")
    err, _ = code(c.start_cost_allocation_tag_backfill,
                  BackfillFrom="2025-10-01T00:00:00Z")
    check(err == "ValidationException", "backfill: older than 12 months")
    r = c.start_cost_allocation_tag_backfill(
        BackfillFrom="2026-06-01T00:00:00Z")
    check(r["BackfillRequest"]["BackfillStatus"] == "PROCESSING",
          "backfill started")
    err, _ = code(c.start_cost_allocation_tag_backfill,
                  BackfillFrom="2026-07-01T00:00:00Z")
    check(err == "BackfillLimitExceededException",
          "backfill: refused while one runs")
    r = c.list_cost_allocation_tag_backfill_history()
    h = r["BackfillRequests"]
    check(len(h) == 1 and h[0]["BackfillFrom"] == "2026-06-01T00:00:00Z",
          "backfill history")


def costs(c):
    period = {"Start": "2026-11-01", "End": "2026-12-08"}
    r = c.get_dimension_values(TimePeriod=period, Dimension="SERVICE",
                               SearchString="Bedrock",
                               Context="COST_AND_USAGE")
    names = sorted(v["Value"] for v in r["DimensionValues"])
    check(names == sorted(BEDROCK) and r["TotalSize"] == 3,
          "GetDimensionValues SERVICE ~ Bedrock: every Bedrock service, "
          "no other (%s)" % names)
    every = all_pages(c.get_dimension_values, TimePeriod=period,
                      Dimension="SERVICE")
    check(len(every) == 2 and "Amazon Simple Storage Service" in
          [v["Value"] for p in every for v in p["DimensionValues"]],
          "a non-Bedrock service has usage too (on the second page)")

    flt = {"Dimensions": {"Key": "SERVICE", "Values": BEDROCK}}
    q = dict(TimePeriod=period, Granularity="MONTHLY",
             Metrics=["UnblendedCost"], Filter=flt)
    one = all_pages(c.get_cost_and_usage,
                    GroupBy=[{"Type": "TAG", "Key": "Team"}], **q)
    check(len(one) > 1, "groups come in %d pages" % len(one))
    months = [rt["TimePeriod"] for p in one for rt in p["ResultsByTime"]]
    check(months[0] == {"Start": "2026-11-01", "End": "2026-12-01"} and
          months[-1] == {"Start": "2026-12-01", "End": "2026-12-08"},
          "monthly buckets clipped to the period")
    est = {rt["TimePeriod"]["Start"]: rt["Estimated"]
           for p in one for rt in p["ResultsByTime"]}
    check(est == {"2026-11-01": False, "2026-12-01": True},
          "the current month is Estimated")
    keys = {k[1] for k in sums(one)}
    check("Team$" in keys, "the default project is the empty value Team$")
    check(all(rt["Total"] == {} for p in one for rt in p["ResultsByTime"]),
          "Total is {} with GroupBy")
    two = all_pages(c.get_cost_and_usage,
                    GroupBy=[{"Type": "TAG", "Key": "Team"},
                             {"Type": "TAG", "Key": "Environment"}], **q)
    none = all_pages(c.get_cost_and_usage, **q)
    daily = all_pages(c.get_cost_and_usage, TimePeriod=period,
                      Granularity="DAILY", Metrics=["UnblendedCost"],
                      Filter=flt, GroupBy=[{"Type": "TAG", "Key": "Team"}])
    check(len({rt["TimePeriod"]["Start"] for p in daily
               for rt in p["ResultsByTime"]}) == 37, "37 daily buckets")
    t1, t2, t0, td = total(sums(one)), total(sums(two)), \
        total(sums(none)), total(sums(daily))
    check(t1 == t2 == t0 == td and t0 > 0,
          "one key, two keys, no key and daily sum to the same %s" % t0)
    s3 = all_pages(c.get_cost_and_usage, TimePeriod=period,
                   Granularity="MONTHLY", Metrics=["UnblendedCost"])
    check(total(sums(s3)) > t0, "without the filter S3 is counted too")
    net = all_pages(c.get_cost_and_usage, TimePeriod=period,
                    Granularity="MONTHLY", Metrics=["NetUnblendedCost"],
                    Filter=flt)
    check(total(sums(net, "NetUnblendedCost")) < t0, "NetUnblendedCost")

    r = c.get_cost_and_usage(GroupBy=[{"Type": "TAG", "Key": "Team"}], **q)
    tok = r["NextPageToken"]
    err, _ = code(c.get_cost_and_usage, NextPageToken=tok,
                  GroupBy=[{"Type": "TAG", "Key": "Environment"}], **q)
    check(err == "RequestChangedException", "a token with other parameters")
    err, _ = code(c.get_cost_and_usage, NextPageToken="bogus",
                  GroupBy=[{"Type": "TAG", "Key": "Team"}], **q)
    check(err == "InvalidNextTokenException", "a token that is not ours")
    err, _ = code(c.get_cost_and_usage, TimePeriod=period,
                  Granularity="MONTHLY", Metrics=["UnblendedCost"],
                  GroupBy=[{"Type": "TAG", "Key": k} for k in "ABC"])
    check(err == "ValidationException", "three GroupBy keys refused")
    err, _ = code(c.get_cost_and_usage,
                  TimePeriod={"Start": "2026-12-05", "End": "2026-12-01"},
                  Granularity="DAILY", Metrics=["UnblendedCost"])
    check(err == "ValidationException", "Start after End refused")

    err, msg = code(client("eu-west-1").get_cost_and_usage, **q)
    check(err == "InvalidSignatureException",
          "signed for eu-west-1: refused (%s)" % msg)


def throttled(c):
    err, _ = code(c.get_dimension_values,
                  TimePeriod={"Start": "2026-12-01", "End": "2026-12-02"},
                  Dimension="SERVICE")
    err2, _ = code(c.get_dimension_values,
                   TimePeriod={"Start": "2026-12-01", "End": "2026-12-02"},
                   Dimension="SERVICE")
    check("LimitExceededException" in (err, err2),
          "every 2nd request: LimitExceededException (HTTP 400)")
    r = client(attempts=5).get_dimension_values(
        TimePeriod={"Start": "2026-12-01", "End": "2026-12-02"},
        Dimension="SERVICE")
    check(r["ResponseMetadata"]["RetryAttempts"] >= 0 and
          r["DimensionValues"], "botocore's standard retry treats it as "
          "throttling and succeeds")


def member(c):
    err, msg = code(c.list_cost_allocation_tags)
    check(err == "AccessDeniedException" and "Linked account" in msg,
          "member account: ListCostAllocationTags refused")
    err, _ = code(c.update_cost_allocation_tags_status,
                  CostAllocationTagsStatus=[{"TagKey": "Team",
                                             "Status": "Active"}])
    check(err == "AccessDeniedException", "member account: update refused")
    r = c.get_cost_and_usage(
        TimePeriod={"Start": "2026-12-01", "End": "2026-12-02"},
        Granularity="DAILY", Metrics=["UnblendedCost"])
    check(r["ResultsByTime"], "member account: GetCostAndUsage works")


def check_report(c):
    """A projsync JSON report (argv[3]) against botocore's own sums of the
    same query, every page: equal to the digit.  Prints the pages."""
    import datetime
    import json
    from decimal import Decimal
    rep = json.load(open(sys.argv[3]))
    end = (datetime.date.fromisoformat(rep["to"]) +
           datetime.timedelta(days=1)).isoformat()
    period = {"Start": rep["from"], "End": end}
    svc = [v["Value"] for p in all_pages(
        c.get_dimension_values, TimePeriod=period, Dimension="SERVICE")
        for v in p["DimensionValues"]]
    bedrock = sorted(v for v in svc if v == "Amazon Bedrock" or
                     v.endswith(" (Amazon Bedrock Edition)"))
    check(rep["services"] == bedrock, "services: %s" % bedrock)
    pages = all_pages(c.get_cost_and_usage, TimePeriod=period,
                      Granularity=rep["granularity"],
                      Metrics=[rep["metric"]],
                      Filter={"Dimensions": {"Key": "SERVICE",
                                             "Values": bedrock}},
                      GroupBy=[{"Type": "TAG", "Key": k}
                               for k in rep["group_by"]])
    want = {}
    for k, v in sums(pages, rep["metric"]).items():
        vals = tuple(x.split("$", 1)[1] for x in k[1:])
        want[(k[0],) + vals] = v
    got = {}
    for r in rep["rows"]:
        k = (r["start"],) + tuple(r["tags"][g] for g in rep["group_by"])
        check(k not in got, "one row per bucket and group: %s" % (k,))
        got[k] = Decimal(r["amount"])
    check(got == want, "every row equals botocore's sum (%d rows)" %
          len(got))
    check(Decimal(rep["total"]) == sum(want.values(), Decimal(0)),
          "the total equals botocore's sum: %s" % rep["total"])
    un = sum((v for k, v in want.items() if "" in k[1:]), Decimal(0))
    check(Decimal(rep["unattributed"]["amount"]) == un,
          "unattributed = the empty-value groups: %s" % un)
    print("pages=%d" % len(pages))


def sigv4(c):
    """The emulator runs with --sigv4 AKIDEXAMPLE:secret and
    --sigv4 ASIATEMP:temp-secret:temp-token: it verifies botocore's
    signatures for service ce."""
    q = dict(TimePeriod={"Start": "2026-12-01", "End": "2026-12-02"},
             Dimension="SERVICE")
    check(c.get_dimension_values(**q)["DimensionValues"],
          "botocore's signature verified by the emulator")
    t = client(akid="ASIATEMP", secret="temp-secret", token="temp-token")
    check(t.get_dimension_values(**q)["DimensionValues"],
          "temporary credentials: signature and session token verified")
    err, msg = code(client(secret="not-the-secret").get_dimension_values, **q)
    check(err == "InvalidSignatureException" and "signature" in msg,
          "a wrong secret: InvalidSignatureException (%s)" % msg)
    err, msg = code(client(akid="AKIDUNKNOWN").get_dimension_values, **q)
    check(err == "UnrecognizedClientException",
          "an unknown access key: UnrecognizedClientException (%s)" % msg)
    err, msg = code(client(akid="ASIATEMP", secret="temp-secret",
                           token="other").get_dimension_values, **q)
    check(err == "UnrecognizedClientException",
          "a wrong session token: UnrecognizedClientException (%s)" % msg)
    err, msg = code(client("eu-west-1").get_dimension_values, **q)
    check(err == "InvalidSignatureException" and "us-east-1" in msg,
          "signed for eu-west-1: refused (%s)" % msg)


def main():
    scenario = sys.argv[2]
    {"tags": tags_and_backfill, "costs": costs, "throttled": throttled,
     "member": member, "check": check_report, "sigv4": sigv4}[scenario](
        client(attempts=10 if scenario == "check" else 1))


main()
