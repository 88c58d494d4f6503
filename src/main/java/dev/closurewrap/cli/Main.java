package dev.closurewrap.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Entry point: maps {@link #run} to {@link System#exit}, nothing else. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false,
                StandardCharsets.UTF_8);
        int code = run(out, System.err, args);
        out.flush();
        System.exit(code);
    }

    /** The message of an error that ended a command; the JDK's file errors often give only the file name. */
    static String message(Throwable ex) {
        if (ex instanceof java.nio.file.FileSystemException fs && fs.getReason() == null && fs.getFile() != null) {
            String what = ex instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
                    : ex instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : ex instanceof java.nio.file.FileAlreadyExistsException ? "already exists"
                    : ex instanceof java.nio.file.NotDirectoryException ? "not a directory"
                    : ex instanceof java.nio.file.DirectoryNotEmptyException ? "directory not empty"
                    : ex.getClass().getSimpleName();
            return fs.getFile() + (fs.getOtherFile() == null ? "" : " -> " + fs.getOtherFile()) + ": " + what;
        }
        return String.valueOf(ex.getMessage());
    }

    /**
     * Whether the sub-commands must be registered: no arguments or a help option (the usage lists
     * them), or an argument that is a sub-command's name (wherever it stands, as picocli allows
     * after the root's options; a ROOT of that name is then read as the sub-command, as always).
     */
    static boolean mayNameASubcommand(String... args) {
        if (args.length == 0) {
            return true;
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Class<?> subcommand : WrapCommand.SUBCOMMANDS) {
            CommandLine.Command command = subcommand.getAnnotation(CommandLine.Command.class);
            names.add(command.name());
            names.addAll(java.util.Arrays.asList(command.aliases()));
        }
        for (String arg : args) {
            if (names.contains(arg) || arg.equals("-h") || arg.equals("--help") || arg.equals("help")) {
                return true;
            }
        }
        return false;
    }

    /** Runs one command line and returns its exit code; never calls {@code System.exit}. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        return run(out, err, new WrapCommand(), args);
    }

    /** {@link #run} with the root command given: tests hand in one whose configuration files they chose. */
    static int run(PrintStream out, PrintStream err, WrapCommand root, String... args) {
        PrintWriter outWriter = new PrintWriter(out, true);
        PrintWriter errWriter = new PrintWriter(err, true);
        CommandLine cmd = new CommandLine(root);
        if (mayNameASubcommand(args)) {
            for (Class<?> subcommand : WrapCommand.SUBCOMMANDS) {
                cmd.addSubcommand(subcommand);
            }
        }
        cmd.setOut(outWriter);
        cmd.setErr(errWriter);
        cmd.setExitCodeExceptionMapper(ExitCodes::of);
        cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ExitCodes.wantsStackTrace(ex)) {
                ex.printStackTrace(errWriter);
            } else {
                errWriter.println("closure-wrap: " + message(ex));
            }
            return ExitCodes.of(ex);
        });
        cmd.setParameterExceptionHandler((ex, args1) -> {
            errWriter.println("closure-wrap: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, errWriter);
            errWriter.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return ExitCodes.USAGE;
        });
        int code = cmd.execute(args);
        outWriter.flush();
        errWriter.flush();
        return code;
    }
}
