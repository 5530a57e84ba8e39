package dev.wharf.control.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the demo finds the one tool it needs, and what it says when the tool is missing, before it starts anything. */
class DemoHostTest
{
    @TempDir
    Path directory;

    @Test
    void findsAToolInAPathDirectoryBeforeTheSystemOnes() throws Exception
    {
        final Path bin = Files.createDirectories(directory.resolve("bin"));
        final Path tool = Files.createFile(bin.resolve("hd-tool"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        final DemoHost.Tool wanted = new DemoHost.Tool("hd-tool", "hd-package");
        assertEquals(tool, DemoHost.which(wanted, directory.resolve("empty") + "::" + bin));
        assertNull(DemoHost.which(wanted, directory.toString()), "not in a directory that is not on PATH");
    }

    @Test
    void aFileThatIsNotExecutableIsNoTool() throws Exception
    {
        Files.createFile(directory.resolve("hd-tool"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        assertNull(DemoHost.which(new DemoHost.Tool("hd-tool", "hd-package"), directory.toString()));
    }

    @Test
    void aMissingToolIsNamedWithItsDebianPackage()
    {
        assertNull(DemoHost.which(new DemoHost.Tool("hd-no-such-tool", "x"), ""));
        assertEquals("wharf: demo needs 'ip' (Debian package iproute2), found neither on PATH nor in /usr/sbin, /sbin, /usr/bin, /bin; " +
            "install it with: apt-get install iproute2", DemoHost.missing(DemoHost.IP));
    }

    @Test
    void runsItsPeersWithThisJvmAndTheLaunchersFlags()
    {
        final DemoHost host = new DemoHost(Path.of("/usr/sbin/ip"));
        final List<String> command = host.in("demo-c1", host.java(DemoPing.class, true, "10.10.0.3", "3"));
        assertEquals(List.of("/usr/sbin/ip", "netns", "exec", "demo-c1", ProcessHandle.current().info().command().orElseThrow()),
            command.subList(0, 5));
        assertEquals(List.of("-cp", System.getProperty("java.class.path"), DemoPing.class.getName(), "10.10.0.3", "3"),
            command.subList(command.size() - 5, command.size()));
        for (final String flag : List.of("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
            "-Djnr.ffi.x86asm.enabled=false"))
        {
            assertTrue(command.contains(flag), flag);
        }
    }
}
