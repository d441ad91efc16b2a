"""The storage and bucket path: documents into Telnyx Cloud Storage (S3), bucket embedding jobs,
similarity search and document buckets. It may import the foundation, the chat path (the
retrieval tool, the clients), embeddings and the transport; boto3 only in :mod:`.s3`.
"""
