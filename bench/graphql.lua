-- POSTs the GraphQL document in BENCH_BODY (GraphQL answers are never cached).
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
