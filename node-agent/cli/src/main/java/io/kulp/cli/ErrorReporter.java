package io.kulp.cli;

import io.kulp.patch.PatchException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine;

/**
 * Turns an exception from a subcommand into one line on stderr and exit code 1. Expected
 * problems (bad input, missing files) print their message; anything else is a kulp bug and
 * says so. {@code -v} adds the stack trace.
 */
final class ErrorReporter implements IExecutionExceptionHandler {
  static final int FAILURE = 1;

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    err.println(cmd.getCommandSpec().qualifiedName() + ": " + message(ex));
    if (cmd.getCommand() instanceof VerboseCommand v && v.verbosity().verbose()) {
      ex.printStackTrace(err);
    }
    err.flush();
    return FAILURE;
  }

  static String message(Exception ex) {
    if (ex instanceof NoSuchFileException e) {
      return e.getFile() + ": no such file";
    }
    if (ex instanceof AccessDeniedException e) {
      return e.getFile() + ": permission denied";
    }
    if (ex instanceof PatchException || ex instanceof IOException || ex instanceof io.kulp.engine.EngineException) {
      return ex.getMessage();
    }
    return "internal error: " + ex + " (a kulp bug: please report it with the output of -v)";
  }
}
