package org.fspo.cli;

import java.io.PrintWriter;
import org.fspo.core.FspoUserException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The one place errors become output and exit codes (picocli's ExecutionExceptionHandlerDemo):
 *
 * <ul>
 *   <li>a bad option or value: one line naming it and pointing at --help; exit 64;
 *   <li>an {@link FspoUserException} anywhere in the cause chain (Spark wraps executor failures): its one-line
 *       message; its exit code;
 *   <li>anything else: one line with the exception's class and message; exit 70; the stack trace follows only with
 *       {@code --verbose}.
 * </ul>
 */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {
  static final int INTERNAL = 70;

  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    String name = command.getCommandSpec().qualifiedName();
    command.getErr().println(name + ": " + oneLine(e.getMessage()) + " (see '" + name + " --help')");
    command.getErr().flush();
    return FspoUserException.USAGE;
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine command, ParseResult parseResult) {
    PrintWriter err = command.getErr();
    String name = command.getCommandSpec().qualifiedName();
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof FspoUserException user) {
        err.println(name + ": " + oneLine(user.getMessage()));
        if (verbose(parseResult)) {
          user.printStackTrace(err);
        }
        err.flush();
        return user.exitCode();
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    err.println(name + ": internal error: " + e.getClass().getName() + ": " + oneLine(String.valueOf(e.getMessage()))
        + (verbose(parseResult) ? "" : " (run with --verbose for the stack trace)"));
    if (verbose(parseResult)) {
      e.printStackTrace(err);
    }
    err.flush();
    return INTERNAL;
  }

  /** True if -v/--verbose was given at any level of the command. */
  static boolean verbose(ParseResult parseResult) {
    for (ParseResult level = parseResult; level != null; level = level.subcommand()) {
      if (level.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  static String oneLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).strip();
  }
}
