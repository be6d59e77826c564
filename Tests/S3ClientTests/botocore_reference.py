"""Prints the reference SigV4 Authorization headers pinned in S3SignerTests.swift (run: python3 botocore_reference.py)."""
import datetime, hashlib
from unittest import mock
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from urllib.parse import quote

creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
when = datetime.datetime(2026, 11, 22, 4, 15, 0)
def enc(s, slash=False): return quote(s, safe="-_.~" + ("/" if slash else ""))

def sign(method, path, query, headers, payload):
    h = hashlib.sha256(payload).hexdigest()
    qs = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(query))
    url = "http://127.0.0.1:8333" + path + ("?" + qs if qs else "")
    req = AWSRequest(method=method, url=url, data=payload, headers=dict(headers))
    req.headers["x-amz-content-sha256"] = h
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        S3SigV4Auth(creds, "s3", "eu-west-1").add_auth(req)
    print(method, path, req.headers["X-Amz-Date"], "->", req.headers["Authorization"])

sign("GET", "/bucket/" + enc("mail with spaces+plus~tilde/ünïcode", True), [], [], b"")
sign("GET", "/bucket", [("list-type", "2"), ("prefix", "user 1/mail+box/"), ("delimiter", "/"),
     ("continuation-token", "a+b/c=="), ("max-keys", "1000")], [], b"")
sign("PUT", "/bucket/" + enc("dir/obj~1", True), [], [("Content-Type", "message/rfc822"), ("x-amz-meta-username", "alice"),
     ("If-None-Match", "*")], b"hello")
sign("POST", "/bucket", [("delete", "")], [("Content-MD5", "XrY7u+Ae7tCTyyK7j1rNww==")], b"<Delete/>")
