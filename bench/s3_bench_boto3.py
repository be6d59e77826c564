"""The s3-bench workload with boto3 (threads for concurrency), as the reference.
Usage: s3_bench_boto3.py ENDPOINT ACCESS_KEY SECRET_KEY BUCKET [SIZE:COUNT[:INFLIGHT] ...]
Prints `RESULT boto3 OP SIZE INFLIGHT COUNT SECONDS` lines."""
import sys, time, uuid
from concurrent.futures import ThreadPoolExecutor

import boto3, botocore.config

endpoint, access_key, secret_key, bucket = sys.argv[1:5]
def workload(spec):
    parts = list(map(int, spec.split(":")))
    return parts[0], parts[1], parts[2:] or [1, 8, 32]
workloads = [workload(spec) for spec in sys.argv[5:]] or [(4096, 3000, [1, 8, 32]), (1 << 20, 300, [1, 8, 32])]
client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                      region_name="us-east-1",
                      config=botocore.config.Config(max_pool_connections=64, retries={"max_attempts": 5, "mode": "standard"}))
run = uuid.uuid4().hex[:8]

def phase(name, size, in_flight, keys, operation):
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=in_flight) as pool:
        for _ in pool.map(operation, keys):
            pass
    print(f"RESULT boto3 {name} {size} {in_flight} {len(keys)} {time.perf_counter() - start}", flush=True)

for size, count, in_flights in workloads:
    body = bytes((i * 31) & 0xFF for i in range(size))
    for in_flight in in_flights:
        operations = max(count // 4, 20) if in_flight == 1 else count
        keys = [f"bench/boto3-{run}/{size}/{in_flight}/{i}" for i in range(operations)]
        phase("PUT", size, in_flight, keys, lambda k: client.put_object(Bucket=bucket, Key=k, Body=body))
        def get(k):
            data = client.get_object(Bucket=bucket, Key=k)["Body"].read()
            assert len(data) == size
        phase("GET", size, in_flight, keys, get)
        phase("HEAD", size, in_flight, keys, lambda k: client.head_object(Bucket=bucket, Key=k))
        phase("DELETE", size, in_flight, keys, lambda k: client.delete_object(Bucket=bucket, Key=k))
