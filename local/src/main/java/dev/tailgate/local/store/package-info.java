/**
 * qwen-local's model store: {@code tailgate models pull|list|rm}.
 *
 * <p>Flow of a pull ({@link dev.tailgate.local.store.ModelPuller}):
 * <ol>
 *   <li>Resolve the name ({@link dev.tailgate.local.store.ModelStore#plan}): an {@code hf://OWNER/REPO[@REV]/FILE}
 *       source, a model in {@code <home>/local.yaml} with a {@code source}, or the built-in
 *       {@link dev.tailgate.local.store.ModelCatalog}.</li>
 *   <li>Take {@code <file>.lock} (OS file lock): a second pull of the same file is refused, not interleaved.</li>
 *   <li>HEAD {@code {HF_ENDPOINT}/OWNER/REPO/resolve/REV/FILE} like huggingface_hub's {@code get_hf_file_metadata}:
 *       same-origin redirects are followed (renamed repos), a cross-origin one is the LFS CDN location; checksum
 *       from {@code X-Linked-Etag} (SHA-256) or {@code ETag} (git blob SHA-1 for small non-LFS files), size from
 *       {@code X-Linked-Size}/{@code Content-Length}, commit from {@code X-Repo-Commit}.</li>
 *   <li>GET into {@code <file>.partial}, continuing with {@code Range: bytes=N-} when an earlier attempt of the
 *       <em>same</em> hub version (recorded in {@code <file>.partial.info}) left bytes; 200 means the server ignored
 *       the range, so the partial is rewritten from 0; 416 restarts once without a range. The token is sent only to
 *       the hub's own origin, never to the CDN. Bounded connect and read-idle timeouts.</li>
 *   <li>Verify the digest, write {@code <file>.sha256} ({@code sha256sum} format), atomically rename into place.
 *       A mismatch deletes the partial; a network failure keeps it for the next pull.</li>
 * </ol>
 */
package dev.tailgate.local.store;
