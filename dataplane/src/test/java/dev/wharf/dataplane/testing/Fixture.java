package dev.wharf.dataplane.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Properties;

/**
 * A test frame built by scapy ({@code src/test/scapy/make_fixtures.py}) and what scapy says it holds.
 * Expected values are decoded here with the JDK alone, never with Wharf's own parsers, so a test that
 * compares a flyweight's reading with a fixture compares Wharf with scapy.
 */
public final class Fixture
{
    private final String name;
    private final byte[] frame;
    private final Properties facts;

    private Fixture(final String name, final byte[] frame, final Properties facts)
    {
        this.name = name;
        this.frame = frame;
        this.facts = facts;
    }

    /** Loads {@code frames/NAME.hex} and {@code frames/NAME.properties} from the test classpath. */
    public static Fixture load(final String name)
    {
        final String hex = new String(read("frames/" + name + ".hex"), StandardCharsets.US_ASCII).trim();
        final Properties facts = new Properties();
        try (InputStream in = resource("frames/" + name + ".properties"))
        {
            facts.load(in);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        return new Fixture(name, HexFormat.of().parseHex(hex), facts);
    }

    /** Every fixture's name, from {@code frames/index}. */
    public static java.util.List<String> names()
    {
        final String index = new String(read("frames/index"), StandardCharsets.US_ASCII);
        return java.util.Arrays.stream(index.split("\n")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Every fixture that has fact {@code key}. */
    public static java.util.List<Fixture> having(final String key)
    {
        return names().stream().map(Fixture::load).filter(f -> f.has(key)).toList();
    }

    @Override
    public String toString()
    {
        return name;
    }

    /** The frame's bytes, as scapy wrote them (a fresh copy each call). */
    public static byte[] frame(final String name)
    {
        return load(name).bytes();
    }

    public String name()
    {
        return name;
    }

    public byte[] bytes()
    {
        return frame.clone();
    }

    public int length()
    {
        return frame.length;
    }

    public boolean has(final String key)
    {
        return facts.containsKey(key);
    }

    public String text(final String key)
    {
        final String value = facts.getProperty(key);
        if (value == null)
        {
            throw new IllegalArgumentException(name + " has no fact " + key);
        }
        return value;
    }

    /** A decimal or 0x-hex number that fits 32 bits unsigned. */
    public int intValue(final String key)
    {
        return (int)Long.decode(text(key)).longValue();
    }

    public long longValue(final String key)
    {
        return Long.decode(text(key));
    }

    /** A 64-bit unsigned 0x-hex value (half of an IPv6 address). */
    public long unsignedHex64(final String key)
    {
        final String value = text(key);
        return Long.parseUnsignedLong(value.substring(2), 16);
    }

    public boolean bool(final String key)
    {
        return Boolean.parseBoolean(text(key));
    }

    /** aa:bb:cc:dd:ee:ff as the low 48 bits of a long. */
    public long mac(final String key)
    {
        return macValue(text(key));
    }

    /** Dotted IPv4 as an int, 10.0.0.1 = 0x0A000001. */
    public int ipv4(final String key)
    {
        return ipv4Value(text(key));
    }

    public static long macValue(final String text)
    {
        return Long.parseLong(text.replace(":", ""), 16);
    }

    public static int ipv4Value(final String text)
    {
        try
        {
            final byte[] b = InetAddress.getByName(text).getAddress();
            return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
        }
        catch (final UnknownHostException e)
        {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static InputStream resource(final String path)
    {
        final InputStream in = Fixture.class.getClassLoader().getResourceAsStream(path);
        if (in == null)
        {
            throw new IllegalArgumentException("no test resource " + path + " (regenerate with src/test/scapy/make_fixtures.py)");
        }
        return in;
    }

    private static byte[] read(final String path)
    {
        try (InputStream in = resource(path))
        {
            return in.readAllBytes();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }
}
