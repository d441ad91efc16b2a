"""The storage and bucket path: documents into Telnyx Cloud Storage (S3), bucket embedding jobs,
similarity search and document buckets. Imports the foundation, :mod:`telnyx_inference.chat`
(the retrieval tool, the clients) and :mod:`telnyx_inference.transport`; boto3 only in :mod:`.s3`.
"""
