"""Batch summarising and translating of whole corpora from the command line.

``inputs`` turns folders, JSONL, CSV and stdin into records with stable ids;
``sharding`` picks a deterministic 1/N of them; ``journal`` appends finished records
durably and tells a resumed run what is done; ``processors`` run one record in-process
(through the same batching schedulers as the server) or against a running server;
``runner`` drives them concurrently with progress, resume and clean interruption.
"""
