#!/usr/bin/env python3
"""Generate an inventory of N projects for benchmarks and stress tests.

usage: gen_inventory.py N [--archived K] > projects.yaml
Names are Bench-00001...; tags cycle through the example taxonomy so the
file validates cleanly (project_limit is raised when N exceeds 1000).
"""
import sys

apps = ["CustomerChatbot", "Experiments", "DataAnalytics"]
envs = ["Production", "Development", "Staging", "Research"]
teams = ["CustomerExperience", "PlatformEngineering", "DataScience"]


def main():
    n = int(sys.argv[1])
    limit = max(1000, n)
    out = sys.stdout
    out.write("version: 1\n")
    out.write("settings:\n  project_limit: %d\n" % limit)
    out.write("  safety: { max_changes: %d, max_change_percent: 100 }\n" % (n + 10))
    out.write("taxonomy:\n  required: [Application, Environment, Team, CostCenter]\n")
    out.write("  tags:\n")
    out.write("    Application: { allowed: [%s] }\n" % ", ".join(apps))
    out.write("    Environment: { allowed: [%s] }\n" % ", ".join(envs))
    out.write("    Team: { allowed: [%s] }\n" % ", ".join(teams))
    out.write("    CostCenter: { pattern: '^CC-[0-9]{4}$' }\n")
    out.write("    Owner: {}\n")
    out.write("projects:\n")
    for i in range(n):
        out.write("  - name: Bench-%05d\n" % i)
        out.write("    tags: { Application: %s, Environment: %s, Team: %s, "
                  "CostCenter: CC-%04d, Owner: owner%d }\n"
                  % (apps[i % 3], envs[i % 4], teams[i % 3], 1000 + i % 50, i % 97))


if __name__ == "__main__":
    main()
