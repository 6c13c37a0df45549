package io.bridgekeeper.examples.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The {@code bridgekeeper} command: one program, several subcommands. Each subcommand is a
 * {@link Command} so that tests run it in-process with their own streams.
 */
public final class BridgekeeperCli {
  /** Exit status when every input was handled. */
  public static final int OK = 0;
  /** Exit status when some input could not be handled (each one was reported). */
  public static final int SOME_FAILED = 1;
  /** Exit status for a usage error. */
  public static final int USAGE = 2;

  /** What {@code bridgekeeper} without arguments runs. */
  static final String MAIN_JOB = "simulate";

  private static final Map<String, Command> COMMANDS = Map.of(
      "route", new RouteCommand(),
      "haproxy", new HaproxyCommand(),
      "simulate", new SimulateCommand(),
      "demo", new DemoCommand(),
      "gce-autoscale", new GceAutoscaleCommand());

  private BridgekeeperCli() {}

  public static void main(String[] args) {
    int status = run(args, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
        System.out, System.err);
    System.out.flush();
    System.exit(status);
  }

  /** Runs one invocation; never calls {@code System.exit}. */
  public static int run(String[] args, BufferedReader in, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      // The main job on the embedded default.
      return COMMANDS.get(MAIN_JOB).run(List.of(), in, out, err);
    }
    String name = args[0];
    if (name.equals("help") || name.equals("--help") || name.equals("-h")) {
      out.print(usage());
      return OK;
    }
    Command command = COMMANDS.get(name);
    if (command == null) {
      err.println("bridgekeeper: unknown command '" + name + "'");
      err.print(usage());
      return USAGE;
    }
    try {
      return command.run(Arrays.asList(args).subList(1, args.length), in, out, err);
    } catch (UsageException e) {
      err.println("bridgekeeper " + name + ": " + e.getMessage());
      err.println("usage: " + command.usage());
      return USAGE;
    }
  }

  static String usage() {
    StringBuilder sb = new StringBuilder("usage: bridgekeeper <command> [arguments]\n\ncommands:\n");
    COMMANDS.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> sb.append("  ").append(e.getValue().usage()).append('\n')
            .append("      ").append(e.getValue().summary()).append('\n'));
    sb.append("\nWithout a command, runs '" + MAIN_JOB + "'.\n");
    return sb.toString();
  }

  /** A subcommand. */
  interface Command {
    /** Runs with the arguments after the command name; returns the exit status. */
    int run(List<String> args, BufferedReader in, PrintStream out, PrintStream err);

    String usage();

    String summary();
  }

  /** The value after option {@code args[i - 1]}, which is {@code args[i]}; a usage error when missing. */
  static String optionValue(List<String> args, int i, String option) {
    if (i >= args.size()) {
      throw new UsageException(option + " needs a value");
    }
    return args.get(i);
  }

  private static final java.util.regex.Pattern DURATION = java.util.regex.Pattern.compile("([0-9]{1,9})(ms|s|m|h)");

  /** The value after option {@code args[i - 1]} as a positive duration ({@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h}). */
  static java.time.Duration durationValue(List<String> args, int i, String option) {
    java.util.regex.Matcher m = DURATION.matcher(optionValue(args, i, option));
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new UsageException(option + " takes a positive duration like 500ms, 2s, 1m or 1h");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> java.time.Duration.ofMillis(n);
      case "s" -> java.time.Duration.ofSeconds(n);
      case "m" -> java.time.Duration.ofMinutes(n);
      default -> java.time.Duration.ofHours(n);
    };
  }

  /**
   * What went wrong with a file, in words: NIO's exceptions often carry only the path, so
   * "cannot write out: out" becomes "cannot write out: out: exists and is not a directory".
   */
  static String describe(java.io.IOException e) {
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() == null) {
      String what = f instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
          : f instanceof java.nio.file.FileAlreadyExistsException ? "exists and is not a directory"
          : f instanceof java.nio.file.AccessDeniedException ? "permission denied"
          : f instanceof java.nio.file.NotDirectoryException ? "not a directory"
          : f.getClass().getSimpleName();
      return (f.getFile() == null ? "" : f.getFile() + ": ") + what;
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** A usage error: reported with the command's usage line, exit status {@link #USAGE}. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
