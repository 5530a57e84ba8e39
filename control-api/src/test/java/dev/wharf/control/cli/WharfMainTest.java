package dev.wharf.control.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Which verb a command line builds alone ({@link WharfMain#verb}), and that the lean tree answers as the whole one does. */
class WharfMainTest
{
    @Test
    void theVerbIsTheFirstWordAfterTheRootsValueOptions()
    {
        assertEquals(NetworkCommand.class, WharfMain.verb(new String[] {"network", "ls"}));
        assertEquals(NetworkCommand.class, WharfMain.verb(new String[] {"--socket", "/tmp/w.sock", "network", "ls"}));
        assertEquals(PortCommand.class, WharfMain.verb(new String[] {"--socket=/tmp/w.sock", "--host", "h:1", "port", "ls"}));
        assertEquals(DaemonCommand.class, WharfMain.verb(new String[] {"daemon", "--workers", "2"}));
        assertEquals(dev.wharf.control.demo.DemoCommand.class, WharfMain.verb(new String[] {"demo"}));
    }

    @Test
    void helpCompletionOptionsFirstAndUnknownWordsBuildEveryVerb()
    {
        for (final String[] args : List.of(new String[] {}, new String[] {"--help"}, new String[] {"-V"}, new String[] {"help", "network"},
            new String[] {"completion"}, new String[] {"netwrok", "ls"}, new String[] {"--socket"}, new String[] {"--verbose", "network", "ls"}))
        {
            assertNull(WharfMain.verb(args), () -> String.join(" ", args));
            assertEquals(WharfMain.newCommandLine().getSubcommands().keySet(), WharfMain.newCommandLine(args).getSubcommands().keySet());
        }
    }

    @Test
    void aLeanCommandLineHasOnlyItsVerbAndAnswersAsTheWholeTree()
    {
        final String[] args = {"network", "ls", "--help"};
        assertEquals(List.of("network"), List.copyOf(WharfMain.newCommandLine(args).getSubcommands().keySet()));
        assertEquals(run(WharfMain.newCommandLine(), args), run(WharfMain.newCommandLine(args), args));
        final String[] wrong = {"network", "lss"};
        assertEquals(run(WharfMain.newCommandLine(), wrong), run(WharfMain.newCommandLine(wrong), wrong));
    }

    private static String run(final CommandLine commandLine, final String[] args)
    {
        final StringWriter out = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(out, true));
        return commandLine.execute(args) + ":" + out;
    }
}
