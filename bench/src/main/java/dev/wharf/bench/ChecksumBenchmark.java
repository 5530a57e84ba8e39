package dev.wharf.bench;

import dev.wharf.dataplane.protocol.Checksums;
import dev.wharf.dataplane.protocol.Ipv4Flyweight;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The Internet checksum ({@link Checksums}), in ns per call: the full sum of a 20-byte IPv4 header
 * and of a 1400-byte payload over off-heap memory (RFC 1071), and the incremental updates of RFC
 * 1624 for a 16-bit field (TTL/protocol) and a 32-bit one (an address rewritten by NAT). Inputs are
 * non-final fields so that nothing is folded into a constant.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {
    "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dagrona.disable.bounds.checks=true",
    "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class ChecksumBenchmark
{
    private static final int HEADER_LENGTH = Ipv4Flyweight.MIN_HEADER_LENGTH;
    private static final int PAYLOAD_LENGTH = 1400;

    private final UnsafeBuffer packet = new UnsafeBuffer(BufferUtil.allocateDirectAligned(2048, 64));
    private int headerOffset;
    private int payloadOffset;
    private int checksum;
    private int oldValue;
    private int newValue;
    private int oldAddress;
    private int newAddress;

    @Setup(Level.Trial)
    public void setUp()
    {
        headerOffset = 14;
        payloadOffset = headerOffset + HEADER_LENGTH;
        BenchFrames.ipv4(packet, headerOffset, HEADER_LENGTH + PAYLOAD_LENGTH, Ipv4Flyweight.PROTOCOL_UDP, 0x0A00_0002, 0x0A00_0003);
        for (int i = 0; i < PAYLOAD_LENGTH; i++)
        {
            packet.putByte(payloadOffset + i, (byte)(i * 7));
        }
        checksum = new Ipv4Flyweight().wrap(packet, headerOffset).checksum();
        oldValue = (64 << 8) | Ipv4Flyweight.PROTOCOL_UDP;
        newValue = (63 << 8) | Ipv4Flyweight.PROTOCOL_UDP;
        oldAddress = 0x0A00_0002;
        newAddress = 0xC0A8_0164;
    }

    /** Header checksum from scratch: what ip4-input's validation costs. */
    @Benchmark
    public int sumHeader20()
    {
        return Checksums.finish(Checksums.sum(packet, headerOffset, HEADER_LENGTH, 0));
    }

    /** A full-size payload: what software checksum completion costs per MTU-sized segment. */
    @Benchmark
    public int sumPayload1400()
    {
        return Checksums.finish(Checksums.sum(packet, payloadOffset, PAYLOAD_LENGTH, 0));
    }

    @Benchmark
    public int update16()
    {
        return Checksums.update16(checksum, oldValue, newValue);
    }

    @Benchmark
    public int update32()
    {
        return Checksums.update32(checksum, oldAddress, newAddress);
    }
}
