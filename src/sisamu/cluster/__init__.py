"""A high-availability cluster on one machine (issue 15): etcd, two PostgreSQL servers managed by Patroni (a
primary and a synchronous standby), HAProxy routing to the leader and across the web instances, and two `sisamu run`
instances — everything on loopback, started and stopped by `sisamu cluster up|down|status`.

It is the deployment of `docs/deploy.md` ("Several instances", "PostgreSQL") in miniature, for the fault tests
(`tests/ha/`) and for trying a fail-over by hand. It imports no feature: it runs the platform as separate processes.
"""
