/** Test support shared by every module: scripted fake upstreams, a fake model hub, synthetic model writers, a fake clock. */
package dev.tailgate.testing;
