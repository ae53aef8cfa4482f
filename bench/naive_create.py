#!/usr/bin/env python3
"""The seed walkthrough's approach, for comparison: one serial
`requests.post` per project, as the AWS walkthrough that projsync automates
does it.

usage: naive_create.py BASE_URL N
Reads the key from OPENAI_API_KEY like the article's script.
"""
import os
import sys

import requests

BASE_URL = sys.argv[1]
API_KEY = os.environ.get("OPENAI_API_KEY")


def create_project(name, tags):
    response = requests.post(
        f"{BASE_URL}/organization/projects",
        headers={"Authorization": f"Bearer {API_KEY}",
                 "Content-Type": "application/json"},
        json={"name": name, "tags": tags})
    if response.status_code != 200:
        raise Exception(f"Failed to create project: {response.status_code} - {response.text}")
    return response.json()


apps = ["CustomerChatbot", "Experiments", "DataAnalytics"]
envs = ["Production", "Development", "Staging", "Research"]
teams = ["CustomerExperience", "PlatformEngineering", "DataScience"]
for i in range(int(sys.argv[2])):
    create_project("Bench-%05d" % i, {
        "Application": apps[i % 3], "Environment": envs[i % 4],
        "Team": teams[i % 3], "CostCenter": "CC-%04d" % (1000 + i % 50),
        "Owner": "owner%d" % (i % 97)})
