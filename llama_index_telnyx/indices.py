"""``TelnyxIndex``: a LlamaIndex managed index over one Telnyx Storage bucket.

Telnyx chunks, embeds and searches on its side, so documents go up whole (one object per
document, its metadata as object metadata) and no local node parser or embedding model is
involved::

    index = TelnyxIndex.from_documents(docs, bucket_name="handbook")   # uploads, embeds, waits
    index.insert(Document(text="Staff get 25 vacation days.", id_="leave"))
    index.as_retriever(similarity_top_k=3).retrieve("vacation")        # nodes with ref_doc_id
    index.as_query_engine(llm=Telnyx()).query("How many vacation days?")
    index.as_chat_engine(llm=Telnyx()).chat("And sick days?")
    index.delete_ref_doc("leave")

Grounded answers in a single request (Telnyx's ``retrieval`` tool and a json_schema format)::

    index.as_query_engine(llm=Telnyx(), output_cls=Leave, use_retrieval_tool=True).query(...)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.callbacks.base import CallbackManager
from llama_index.core.data_structs.data_structs import IndexDict
from llama_index.core.indices.managed.base import BaseManagedIndex
from llama_index.core.llms.utils import LLMType
from llama_index.core.schema import BaseNode, Document, TransformComponent
from llama_index.core.storage.docstore.types import RefDocInfo
from llama_index.core.storage.storage_context import StorageContext

from llama_index_telnyx._index_engines import TelnyxGroundedQueryEngine, TelnyxIndexRetriever
from telnyx_inference._constants import DEFAULT_NUM_OF_DOCS, DEFAULT_POLL_INTERVAL
from telnyx_inference.buckets.bucket_api import DEFAULT_JOB_TIMEOUT
from telnyx_inference.buckets.documents import (
    AsyncDocumentBucket,
    DocumentBucket,
    EmbedOptions,
    PlannedObject,
    connection_settings,
    plan_objects,
)
from telnyx_inference.chat.tools import RetrievalTool

__all__ = ["TelnyxIndex"]


def _plan_documents(documents: Sequence[Document]) -> list[PlannedObject]:
    return plan_objects(
        [d.text for d in documents],
        [d.metadata for d in documents],
        [d.id_ for d in documents],
        what="documents",
    )


def _plan_nodes(nodes: Sequence[BaseNode]) -> list[PlannedObject]:
    return plan_objects(
        [n.get_content() for n in nodes],
        [n.metadata for n in nodes],
        [n.node_id for n in nodes],
        ref_ids=[n.ref_doc_id for n in nodes],
        what="nodes",
    )


class TelnyxIndex(BaseManagedIndex):
    """Documents in a Telnyx bucket, chunked, embedded and searched by Telnyx.

    ``wait`` (default ``True``): inserts, updates and deletes return once the bucket's
    embeddings reflect them (the first embedding job is started when needed), with a
    progress line when ``show_progress`` (or ``progress``) is on; ``wait=False`` returns
    after the upload. Connection arguments (``api_key``, ``base_url``, ``timeout``...) are
    those of every Telnyx class; ``storage_url`` overrides the S3 endpoint.
    """

    def __init__(
        self,
        bucket_name: str,
        *,
        wait: bool = True,
        storage_url: str | None = None,
        document_chunk_size: int | None = None,
        document_chunk_overlap_size: int | None = None,
        embedding_model: str | None = None,
        embed_timeout: float | None = DEFAULT_JOB_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        progress: bool | None = None,
        show_progress: bool = False,
        callback_manager: CallbackManager | None = None,
        storage_context: StorageContext | None = None,
        **connection: Any,
    ) -> None:
        self.bucket_name = bucket_name
        self.wait = wait
        self._bucket_kwargs: dict[str, Any] = {
            "settings": connection_settings(**connection),
            "storage_url": storage_url,
            "embed_options": EmbedOptions.given(
                document_chunk_size, document_chunk_overlap_size, embedding_model
            ),
            "timeout": embed_timeout,
            "poll_interval": poll_interval,
            "progress": True if show_progress and progress is None else progress,
        }
        self.documents = DocumentBucket(bucket_name, **self._bucket_kwargs)
        self._adocuments: AsyncDocumentBucket | None = None
        super().__init__(
            index_struct=IndexDict(),
            storage_context=storage_context,
            show_progress=show_progress,
            callback_manager=callback_manager,
        )

    @property
    def adocuments(self) -> AsyncDocumentBucket:
        """The async twin of :attr:`documents` (built on first use)."""
        if self._adocuments is None:
            self._adocuments = AsyncDocumentBucket(self.bucket_name, **self._bucket_kwargs)
        return self._adocuments

    def __repr__(self) -> str:
        return f"TelnyxIndex(bucket_name={self.bucket_name!r})"

    @classmethod
    def from_documents(  # type: ignore[override]
        cls,
        documents: Sequence[Document],
        storage_context: StorageContext | None = None,
        show_progress: bool = False,
        callback_manager: CallbackManager | None = None,
        transformations: list[TransformComponent] | None = None,
        **kwargs: Any,
    ) -> TelnyxIndex:
        """Upload ``documents`` whole to ``bucket_name=`` (created if missing) and embed them.
        ``transformations`` are not used: Telnyx chunks on its side."""
        index = cls(
            storage_context=storage_context,
            show_progress=show_progress,
            callback_manager=callback_manager,
            **kwargs,
        )
        index.documents.add(_plan_documents(documents), wait=index.wait)
        return index

    def retrieval_tool(self, max_num_results: int | None = None) -> RetrievalTool:
        """Telnyx's server-side ``retrieval`` tool over this bucket."""
        return RetrievalTool(bucket_ids=[self.bucket_name], max_num_results=max_num_results)

    # --- Writing --------------------------------------------------------------------------

    def insert(self, document: Document, **insert_kwargs: Any) -> None:
        """Upload one document whole (replacing one with the same id)."""
        wait = insert_kwargs.pop("wait", self.wait)
        self.documents.add(_plan_documents([document]), wait=wait)

    async def ainsert(self, document: Document, **insert_kwargs: Any) -> None:
        wait = insert_kwargs.pop("wait", self.wait)
        await self.adocuments.add(_plan_documents([document]), wait=wait)

    def insert_nodes(self, nodes: Sequence[BaseNode], **insert_kwargs: Any) -> None:
        """Upload nodes as they are (each one object under its source document)."""
        self._insert(nodes, **insert_kwargs)

    async def ainsert_nodes(self, nodes: Sequence[BaseNode], **insert_kwargs: Any) -> None:
        wait = insert_kwargs.pop("wait", self.wait)
        await self.adocuments.add(_plan_nodes(nodes), wait=wait)

    def _insert(self, nodes: Sequence[BaseNode], **insert_kwargs: Any) -> None:
        wait = insert_kwargs.pop("wait", self.wait)
        self.documents.add(_plan_nodes(nodes), wait=wait)

    def delete_ref_doc(
        self, ref_doc_id: str, delete_from_docstore: bool = False, **delete_kwargs: Any
    ) -> None:
        """Delete the document and any nodes stored for it."""
        wait = delete_kwargs.pop("wait", self.wait)
        self.documents.delete([ref_doc_id], parts=True, wait=wait)

    async def adelete_ref_doc(
        self, ref_doc_id: str, delete_from_docstore: bool = False, **delete_kwargs: Any
    ) -> None:
        wait = delete_kwargs.pop("wait", self.wait)
        await self.adocuments.delete([ref_doc_id], parts=True, wait=wait)

    def update_ref_doc(self, document: Document, **update_kwargs: Any) -> None:
        """Replace the document (and drop nodes stored for it)."""
        self.delete_ref_doc(document.id_, wait=False)
        self.insert(document, **update_kwargs)

    async def aupdate_ref_doc(self, document: Document, **update_kwargs: Any) -> None:
        await self.adelete_ref_doc(document.id_, wait=False)
        await self.ainsert(document, **update_kwargs)

    # --- Reading --------------------------------------------------------------------------

    @property
    def ref_doc_info(self) -> dict[str, RefDocInfo]:
        """The documents in the bucket, each with the ids of what is stored for it (the
        document itself, or the nodes inserted for it). Metadata is not read here."""
        info: dict[str, RefDocInfo] = {}
        for node_id, ref_id in self.documents.parts():
            info.setdefault(ref_id, RefDocInfo()).node_ids.append(node_id)
        return info

    def as_retriever(self, **kwargs: Any) -> BaseRetriever:
        """``similarity_top_k`` chunks per query (other arguments, meant for the query
        engine, are ignored here)."""
        top_k = kwargs.get("similarity_top_k", DEFAULT_NUM_OF_DOCS)
        return TelnyxIndexRetriever(self, top_k, callback_manager=self._callback_manager)

    def as_query_engine(self, llm: LLMType | None = None, **kwargs: Any) -> BaseQueryEngine:
        """LlamaIndex's retriever query engine over this index (citations as source nodes),
        or with ``use_retrieval_tool=True`` one request to Telnyx that searches the bucket
        itself (with ``output_cls``: a grounded structured answer)."""
        if kwargs.pop("use_retrieval_tool", False):
            top_k = kwargs.pop("similarity_top_k", None)
            return TelnyxGroundedQueryEngine(
                llm,  # type: ignore[arg-type]
                self.retrieval_tool(top_k),
                kwargs.pop("output_cls", None),
                callback_manager=self._callback_manager,
            )
        return super().as_query_engine(llm=llm, **kwargs)
