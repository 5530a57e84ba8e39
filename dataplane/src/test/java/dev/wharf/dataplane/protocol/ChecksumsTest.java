package dev.wharf.dataplane.protocol;

import dev.wharf.dataplane.testing.Fixture;
import dev.wharf.dataplane.testing.Frames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Internet checksum against scapy's values, and RFC 1624's incremental update against a full
 * recomputation. The reference here is RFC 1071 written out on a byte array, sharing no code with
 * {@link Checksums}.
 */
class ChecksumsTest
{
    private static final int CASES = 200_000;

    /** The loop it replaced: end-around carries until 16 bits remain. */
    private static int loopFold(final long sum)
    {
        long s = sum;
        while ((s >>> 16) != 0)
        {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int)s;
    }

    @Test
    void theBranchFreeFoldAgreesWithTheLoopFromZeroToAllOnes()
    {
        final long[] edges = {0, 1, 0xFFFF, 0x1_0000, 0x1_FFFE, 0xFFFF_FFFFL, 0x1_0000_0000L, 0xFFFF_FFFF_FFFFL, Long.MAX_VALUE, -1L};
        for (final long sum : edges)
        {
            assertEquals(loopFold(sum), Checksums.fold(sum), Long.toHexString(sum));
        }
        final Random random = new Random(16);
        for (int n = 0; n < CASES; n++)
        {
            final long sum = random.nextLong() >>> random.nextInt(64);
            assertEquals(loopFold(sum), Checksums.fold(sum), Long.toHexString(sum));
        }
    }

    @Test
    void aTwentyByteHeaderValidatesInNativeOrderExactlyWhenItsChecksumIsRight()
    {
        final Random random = new Random(20);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[20]);
        for (int n = 0; n < CASES; n++)
        {
            final byte[] header = new byte[20];
            random.nextBytes(header);
            header[10] = 0;
            header[11] = 0;
            if (n % 2 == 0)
            {
                final int checksum = referenceChecksum(header, 0, 20, 0);
                header[10] = (byte)(checksum >>> 8);
                header[11] = (byte)checksum;
            }
            buffer.wrap(header);
            final boolean valid = referenceChecksum(header, 0, 20, 0) == 0;
            assertEquals(valid, Checksums.fold(Checksums.sumHeader20NativeOrder(buffer, 0)) == 0xFFFF, Frames.hex(header));
        }
    }

    /** RFC 1071 on bytes: 16-bit big-endian words, an odd byte padded with zero, end-around carry. */
    private static int referenceChecksum(final byte[] data, final int offset, final int length, final long initial)
    {
        long sum = initial;
        for (int i = 0; i < length; i += 2)
        {
            final int high = data[offset + i] & 0xFF;
            final int low = i + 1 < length ? data[offset + i + 1] & 0xFF : 0;
            sum += (high << 8) | low;
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)(~sum & 0xFFFF);
    }

    static List<Fixture> ipv4Checksummed()
    {
        return Fixture.having("ip.chksum_valid").stream().filter(f -> f.bool("ip.chksum_valid")).toList();
    }

    static List<Fixture> icmpChecksummed()
    {
        return Fixture.having("icmp.chksum_valid").stream().filter(f -> f.bool("icmp.chksum_valid")).toList();
    }

    static List<Fixture> transportChecksummed()
    {
        return Fixture.names().stream().map(Fixture::load)
            .filter(f -> f.has("ip.offset") && (f.has("tcp.chksum_valid") || f.has("udp.chksum_valid")))
            .filter(f -> f.bool(f.has("tcp.chksum_valid") ? "tcp.chksum_valid" : "udp.chksum_valid")).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ipv4Checksummed")
    void headerChecksumFromScratchEqualsScapys(final Fixture fixture)
    {
        final int l3 = fixture.intValue("ip.offset");
        final byte[] frame = fixture.bytes();
        frame[l3 + 10] = 0;
        frame[l3 + 11] = 0;

        final int checksum = Checksums.finish(Checksums.sum(new UnsafeBuffer(frame), l3, fixture.intValue("ip.ihl"), 0));

        assertEquals(fixture.intValue("ip.chksum"), checksum);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("icmpChecksummed")
    void icmpChecksumFromScratchEqualsScapysAtAnyBufferAlignment(final Fixture fixture)
    {
        final int l4 = fixture.intValue("icmp.offset");
        final byte[] frame = fixture.bytes();
        frame[l4 + 2] = 0;
        frame[l4 + 3] = 0;
        for (int shift = 0; shift < 4; shift++)
        {
            final UnsafeBuffer buffer = Frames.bufferAt(frame, shift);

            final int checksum = Checksums.finish(Checksums.sum(buffer, shift + l4, fixture.intValue("icmp.length"), 0));

            assertEquals(fixture.intValue("icmp.chksum"), checksum, "buffer shifted by " + shift);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transportChecksummed")
    void transportChecksumWithPseudoHeaderEqualsScapysIncludingOddLengths(final Fixture fixture)
    {
        final String layer = fixture.has("tcp.chksum") ? "tcp" : "udp";
        final int l4 = fixture.intValue(layer + ".offset");
        final int l4Length = fixture.intValue("ip.len") - fixture.intValue("ip.ihl");
        final int checksumOffset = l4 + (layer.equals("tcp") ? 16 : 6);
        final byte[] frame = fixture.bytes();
        frame[checksumOffset] = 0;
        frame[checksumOffset + 1] = 0;
        final int src = fixture.ipv4("ip.src");
        final int dst = fixture.ipv4("ip.dst");
        final long pseudo = (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + fixture.intValue("ip.proto") + l4Length;

        final int checksum = Checksums.finish(Checksums.sum(new UnsafeBuffer(frame), l4, l4Length, pseudo));

        assertEquals(fixture.intValue(layer + ".chksum"), checksum);
    }

    @Test
    void sumAgreesWithTheByteReferenceForEveryLengthAndAlignment()
    {
        final Random random = new Random(1071);
        final byte[] data = new byte[300];
        for (int round = 0; round < 2_000; round++)
        {
            random.nextBytes(data);
            final int offset = random.nextInt(16);
            final int length = random.nextInt(data.length - offset + 1);
            final long initial = random.nextInt(4) == 0 ? random.nextInt() & 0xFFFF_FFFFL : 0;

            final int checksum = Checksums.finish(Checksums.sum(new UnsafeBuffer(data), offset, length, initial));

            assertEquals(referenceChecksum(data, offset, length, initial), checksum, "offset " + offset + " length " + length);
        }
    }

    @Test
    void foldCarriesUntilSixteenBits()
    {
        assertEquals(0, Checksums.fold(0));
        assertEquals(0xFFFF, Checksums.fold(0xFFFF));
        assertEquals(1, Checksums.fold(0x1_0000));
        assertEquals(0xFFFF, Checksums.fold(0x1_FFFE));
        assertEquals(1, Checksums.fold(0xFFFF_0000L + 0x0002 - 0x0001)); // 0xFFFF + 0x0001 = 0x1_0000 -> 1
        assertEquals(0xFFFF, Checksums.fold(0xFFFF_FFFF_FFFFL));
        final Random random = new Random(5);
        for (int i = 0; i < 10_000; i++)
        {
            final long sum = random.nextLong() >>> 8;
            final int folded = Checksums.fold(sum);
            assertEquals(sum % 0xFFFF, folded % 0xFFFF, "congruent mod 0xFFFF: " + sum);
            assertEquals(true, folded >= 1 && folded <= 0xFFFF || sum == 0);
        }
    }

    @Test
    void finishIsTheComplementOfTheFold()
    {
        assertEquals(0xFFFF, Checksums.finish(0));
        assertEquals(0, Checksums.finish(0xFFFF));
        assertEquals(0xDD2F, Checksums.finish(0x22D0));
    }

    @Test
    void rfc1624Section3ExampleGivesZeroNotFfff()
    {
        // RFC 1624 section 3: HC = 0xDD2F, m = 0x5555 -> m' = 0x3285; equation 3 gives 0x0000 (equation 2 gave 0xFFFF)
        assertEquals(0x0000, Checksums.update16(0xDD2F, 0x5555, 0x3285));
    }

    @Test
    void update16EqualsFullRecomputationOverRandomHeaders()
    {
        final Random random = new Random(1624);
        final byte[] header = new byte[20];
        for (int round = 0; round < CASES; round++)
        {
            final int field = randomHeader(random, header);
            final int oldChecksum = recompute(header);
            final int oldValue = word(header, field);
            final int newValue = random.nextInt(8) == 0 ? cornerValue(header, field) : random.nextInt(0x10000);
            putWord(header, field, newValue);

            assertEquals(recompute(header), Checksums.update16(oldChecksum, oldValue, newValue),
                "round " + round + " field " + field + " " + Frames.hex(header));
        }
    }

    @Test
    void update16HitsTheZeroCornerExactlyWhereRecomputationDoes()
    {
        final Random random = new Random(3);
        final byte[] header = new byte[20];
        int corners = 0;
        for (int round = 0; round < 10_000; round++)
        {
            final int field = randomHeader(random, header);
            final int oldChecksum = recompute(header);
            final int oldValue = word(header, field);
            final int newValue = cornerValue(header, field);
            putWord(header, field, newValue);

            final int expected = recompute(header);
            assertEquals(0x0000, expected, "the corner value makes the data sum to one's-complement zero");
            assertEquals(expected, Checksums.update16(oldChecksum, oldValue, newValue));
            corners++;
        }
        assertEquals(10_000, corners);
    }

    @Test
    void update32EqualsFullRecomputationForAddressChanges()
    {
        final Random random = new Random(32);
        final byte[] header = new byte[20];
        for (int round = 0; round < CASES; round++)
        {
            randomHeader(random, header);
            final int field = random.nextBoolean() ? 12 : 16;
            final int oldChecksum = recompute(header);
            final int oldValue = (word(header, field) << 16) | word(header, field + 2);
            final int newValue;
            if (random.nextInt(8) == 0)
            {
                putWord(header, field, random.nextInt(0x10000));
                newValue = (word(header, field) << 16) | cornerValue(header, field + 2);
            }
            else
            {
                newValue = random.nextInt();
            }
            putWord(header, field, newValue >>> 16);
            putWord(header, field + 2, newValue & 0xFFFF);

            assertEquals(recompute(header), Checksums.update32(oldChecksum, oldValue, newValue),
                "round " + round + " " + Frames.hex(header));
        }
    }

    @Test
    void incrementalUpdatesChainWithoutDrift()
    {
        final Random random = new Random(99);
        final byte[] header = new byte[20];
        randomHeader(random, header);
        int checksum = recompute(header);
        for (int step = 0; step < 100_000; step++)
        {
            final int field = 2 * (1 + random.nextInt(9));
            if (field == 10)
            {
                continue;
            }
            final int oldValue = word(header, field);
            final int newValue = random.nextInt(0x10000);
            putWord(header, field, newValue);
            checksum = Checksums.update16(checksum, oldValue, newValue);
        }
        assertEquals(recompute(header), checksum);
    }

    /** Fills an IPv4-like header (version 4, so never all zero), checksum field zero; returns a field offset to change. */
    private static int randomHeader(final Random random, final byte[] header)
    {
        random.nextBytes(header);
        header[0] = (byte)(0x45);
        header[10] = 0;
        header[11] = 0;
        int field;
        do
        {
            field = 2 * random.nextInt(10);
        }
        while (field == 0 || field == 10);
        return field;
    }

    /** The value of {@code field} that makes the whole header (checksum zero) sum to 0xFFFF. */
    private static int cornerValue(final byte[] header, final int field)
    {
        final int saved = word(header, field);
        putWord(header, field, 0);
        final int restChecksum = recompute(header); // ~fold(rest)
        putWord(header, field, saved);
        return restChecksum; // rest + ~fold(rest) == 0xFFFF
    }

    private static int recompute(final byte[] header)
    {
        final int saved = word(header, 10);
        putWord(header, 10, 0);
        final int checksum = referenceChecksum(header, 0, header.length, 0);
        putWord(header, 10, saved);
        return checksum;
    }

    private static int word(final byte[] data, final int offset)
    {
        return ((data[offset] & 0xFF) << 8) | (data[offset + 1] & 0xFF);
    }

    private static void putWord(final byte[] data, final int offset, final int value)
    {
        data[offset] = (byte)(value >>> 8);
        data[offset + 1] = (byte)value;
    }
}
