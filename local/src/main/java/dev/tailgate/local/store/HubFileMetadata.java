package dev.tailgate.local.store;

import java.net.URI;

/**
 * What a HEAD on the hub's resolve URL says about a file: the checksum to verify against, its size, the commit the
 * revision resolved to, and where to GET it (the CDN location for LFS files, else the resolve URL itself).
 */
public record HubFileMetadata(HfSource source, ExpectedChecksum checksum, long size, String commit, URI downloadUrl) {}
