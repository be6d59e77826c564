"""`service stats { inet_listener http }`: ObjectMail's own counters at GET /metrics (Prometheus text),
as Dovecot 2.3 serves them. A delivery over LMTP and a fetch over IMAP must move the S3, connection,
login and delivery counters and the S3 request and IMAP command histograms; S3 request counts are checked against
SeaweedFS's own count."""
import os
import re
import smtplib
import textwrap
import time
import urllib.error
import urllib.request

import pytest

from conftest import free_port, wait_for_port


def stats_listener(port: int) -> str:
    return textwrap.dedent(f"""\
        service stats {{
          inet_listener http {{
            address = 127.0.0.1
            port = {port}
          }}
        }}
        """)


def scrape(port: int) -> dict:
    """Every sample of GET /metrics: {'name{labels}': value}, checking that a HELP and a TYPE line precede each
    family's samples (a histogram's `_bucket`, `_sum` and `_count` included)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = response.read().decode()
    samples, helped, types, family = {}, set(), {}, None
    for line in text.splitlines():
        if line.startswith("# HELP "):
            helped.add(line.split()[2])
        elif line.startswith("# TYPE "):
            family = line.split()[2]
            assert family in helped and family not in types, line
            types[family] = line.split()[3]
        elif line and not line.startswith("#"):
            series, value = line.rsplit(" ", 1)
            name = series.split("{", 1)[0]
            assert name == family or (types[family] == "histogram" and re.sub(r"_(bucket|sum|count)$", "", name) == family), line
            samples[series] = float(value)
    samples["# TYPE"] = types
    return samples


def total(samples: dict, name: str, **labels) -> float:
    """The sum of `name`'s series that carry all of these labels."""
    wanted = [f'{key}="{value}"' for key, value in labels.items()]
    return sum(value for series, value in samples.items()
               if series != "# TYPE" and series.split("{", 1)[0] == name and all(label in series for label in wanted))


def check_histogram(samples: dict, name: str, **labels):
    """A histogram series as Prometheus reads it: cumulative buckets ending at +Inf, which equals `_count`."""
    assert samples["# TYPE"][name] == "histogram"
    selector = ",".join(f'{key}="{value}"' for key, value in labels.items())
    count = samples[f"{name}_count{{{selector}}}"]
    assert count >= 1 and samples[f"{name}_sum{{{selector}}}"] > 0
    buckets = sorted((float(series.rsplit('le="', 1)[1].rstrip('"}')), value) for series, value in samples.items()
                     if series.startswith(f"{name}_bucket{{{selector},le="))
    assert len(buckets) > 10 and buckets[-1] == (float("inf"), count)
    assert [value for _, value in buckets] == sorted(value for _, value in buckets)
    return count


def settled_baseline(port: int) -> dict:
    """The fixtures' port probes (one per listener) are connections too, accepted maybe after the probe
    returned: wait until both are counted so the deltas that follow are exact."""
    deadline = time.monotonic() + 30
    while True:
        samples = scrape(port)
        if all(total(samples, "objectmail_connections_total", service=service) >= 1 for service in ("lmtp", "imap")) \
                or time.monotonic() > deadline:
            return samples
        time.sleep(0.05)


def deliver_and_fetch(server, user="jane@example.com"):
    with smtplib.LMTP("127.0.0.1", server.port, timeout=60) as client:
        client.ehlo("client.test")
        client.sendmail("sender@example.org", [user], b"Subject: metrics\r\n\r\nhello metrics\r\n")
    imap = server.imap(user)
    imap.select("INBOX")
    status, data = imap.fetch("1", "(BODY[])")
    assert status == "OK" and b"hello metrics" in data[0][1]
    imap.logout()


def test_counters_move_on_a_posix_store_and_other_requests_are_refused(imap_server, tmp_path):
    port = free_port()
    server = imap_server(obox_fs=f"fscache:10M:{tmp_path}/cache:posix:{tmp_path}/mails", extra=stats_listener(port))
    wait_for_port(port, server.process)
    before = settled_baseline(port)
    deliver_and_fetch(server)
    try:
        server.imap("jane@example.com", password="wrong")
    except Exception:
        pass
    samples = scrape(port)
    assert total(samples, "objectmail_lmtp_deliveries_total", result="saved") == 1
    assert total(samples, "objectmail_lmtp_delivered_bytes_total") > len("hello metrics")
    assert total(samples, "objectmail_logins_total", service="imap", result="success") == 1
    assert total(samples, "objectmail_logins_total", service="imap", result="failure") == 1
    for service, opened in (("lmtp", 1), ("imap", 2)):
        assert total(samples, "objectmail_connections_total", service=service) \
            - total(before, "objectmail_connections_total", service=service) == opened
    assert total(samples, "objectmail_s3_requests_total") == 0  # a posix store sends no S3 request
    assert total(samples, "objectmail_fscache_hits_total") + total(samples, "objectmail_fscache_misses_total") >= 1
    assert "objectmail_fscache_size_bytes" in samples
    # One IMAP session (LOGIN, SELECT, FETCH, LOGOUT) and a failed LOGIN: command times by command name only.
    assert check_histogram(samples, "objectmail_imap_command_duration_seconds", command="LOGIN") == 2
    for command in ("SELECT", "FETCH", "LOGOUT"):
        assert check_histogram(samples, "objectmail_imap_command_duration_seconds", command=command) == 1
    commands = {re.search(r'command="([^"]*)"', series).group(1) for series in samples
                if series.startswith("objectmail_imap_command_duration_seconds_count")}
    assert commands <= {"CAPABILITY", "LOGIN", "SELECT", "FETCH", "LOGOUT"}, commands

    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10)
    assert missing.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/metrics", data=b"x", method="POST"), timeout=10)
    assert refused.value.code == 405
    # Closed sessions leave the gauge (the scrape itself is not a mail connection); the server sees a close a moment later.
    deadline = time.monotonic() + 30
    while total(scrape(port), "objectmail_connections_current") != 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert total(scrape(port), "objectmail_connections_current") == 0


def seaweed_requests(seaweed) -> int:
    text = urllib.request.urlopen(f"http://127.0.0.1:{seaweed['OBJECTMAIL_TEST_S3_METRICS_PORT']}/metrics", timeout=10).read().decode()
    return sum(int(float(value)) for value in re.findall(r'^SeaweedFS_s3_request_total\{[^}]*\} (\S+)$', text, re.M))


def test_s3_requests_are_counted_by_operation_and_status(imap_server, seaweed):
    port = free_port()
    url = seaweed["OBJECTMAIL_TEST_S3_URL"].replace("%", "%%")
    seaweed_before = seaweed_requests(seaweed)
    server = imap_server(obox_fs=f"s3:{url}", extra=stats_listener(port))
    wait_for_port(port, server.process)
    before = scrape(port)
    assert total(before, "objectmail_s3_requests_total", operation="LIST") >= 1  # the start-up check
    deliver_and_fetch(server)
    samples = scrape(port)
    assert total(samples, "objectmail_s3_requests_total", operation="PUT", method="PUT", status="2xx") >= 1
    assert total(samples, "objectmail_s3_sent_bytes_total", operation="PUT") > len("hello metrics")
    assert total(samples, "objectmail_s3_request_duration_seconds_count", operation="PUT") >= 1
    assert total(samples, "objectmail_s3_request_duration_seconds_sum", operation="PUT") > 0
    # The duration is a histogram; its _count is the requests of the operation, whatever their answer (LIST: none
    # since the start-up check, so none can land between the two reads).
    assert check_histogram(samples, "objectmail_s3_request_duration_seconds", operation="PUT") >= 1
    assert check_histogram(samples, "objectmail_s3_request_duration_seconds", operation="LIST") \
        == total(samples, "objectmail_s3_requests_total", operation="LIST")
    assert check_histogram(samples, "objectmail_imap_command_duration_seconds", command="FETCH") == 1
    # Every request ObjectMail counts reached SeaweedFS, and SeaweedFS saw nothing ObjectMail did not send.
    if "OBJECTMAIL_TEST_S3_METRICS_PORT" in seaweed and not os.environ.get("OBJECTMAIL_TEST_S3_METRICS_PORT"):
        assert seaweed_requests(seaweed) - seaweed_before == total(samples, "objectmail_s3_requests_total")
