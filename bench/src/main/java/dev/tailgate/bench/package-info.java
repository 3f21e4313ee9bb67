/** Benchmarks: JMH for hot paths and load harnesses that report ratios measured in one run. Not run by verify. */
package dev.tailgate.bench;
