package dev.wharf.control.daemon;

import dev.wharf.control.api.v1.ListNetworksRequest;
import dev.wharf.control.client.WharfClient;
import io.grpc.StatusRuntimeException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The API socket's file: before binding, make sure no other daemon answers on it and clear what a
 * crashed one left; after binding, restrict it to root and the socket's group (0660). Called on the
 * daemon's main thread while it starts.
 */
final class SocketFile
{
    private static final long PROBE_DEADLINE_MS = 2_000;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private SocketFile()
    {
    }

    /** Creates the socket's directory and removes a stale socket; refuses if a daemon answers there. */
    static void prepare(final Path socket) throws DaemonException
    {
        final Path parent = socket.toAbsolutePath().getParent();
        try
        {
            Files.createDirectories(parent);
        }
        catch (final IOException e)
        {
            throw new DaemonException("cannot create " + parent + ": " + e, false);
        }
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS))
        {
            return;
        }
        if (!isSocket(socket))
        {
            throw new DaemonException(socket + " exists and is not a socket; remove it or choose another --socket", false);
        }
        if (answers(socket))
        {
            throw new DaemonException("another wharf daemon is already answering on " + socket, true);
        }
        try
        {
            Files.delete(socket);
        }
        catch (final IOException e)
        {
            throw new DaemonException("cannot remove the stale socket " + socket + ": " + e, false);
        }
    }

    /** mode 0660: the socket's owner (root) and group may call the API; nobody else. */
    static void restrict(final Path socket) throws DaemonException
    {
        try
        {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
        }
        catch (final IOException e)
        {
            throw new DaemonException("cannot set the mode of " + socket + ": " + e, false);
        }
    }

    private static boolean isSocket(final Path path)
    {
        try
        {
            final int mode = (Integer)Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFSOCK;
        }
        catch (final IOException | UnsupportedOperationException e)
        {
            return false;
        }
    }

    private static boolean answers(final Path socket)
    {
        try (WharfClient client = new WharfClient(socket, PROBE_DEADLINE_MS))
        {
            client.networks().list(ListNetworksRequest.getDefaultInstance());
            return true;
        }
        catch (final StatusRuntimeException e)
        {
            // UNAVAILABLE (refused) is a stale file; anything else came from a live server
            return e.getStatus().getCode() != io.grpc.Status.Code.UNAVAILABLE &&
                e.getStatus().getCode() != io.grpc.Status.Code.DEADLINE_EXCEEDED;
        }
    }
}
