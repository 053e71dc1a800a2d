"""Benchmarks of aiohttp-eid, measured side by side in one run."""
