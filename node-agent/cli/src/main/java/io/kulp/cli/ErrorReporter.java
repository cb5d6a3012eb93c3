package io.kulp.cli;

import io.kulp.patch.PatchException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine;

/**
 * Turns an exception from a subcommand into one line on stderr and exit code 1 (255 for
 * {@code check}, whose 1 means "applied"). Expected
 * problems (bad input, missing files) print their message; anything else is a kulp bug and
 * says so. {@code -v} adds the stack trace. A usage error (a bad option or value) is one line
 * too, pointing to the command's help, and exit code 2.
 */
final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {
  static final int FAILURE = 1;
  static final int USAGE = 2;

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    String name = cmd.getCommandSpec().qualifiedName();
    String message = ex.getMessage();
    PrintWriter err = cmd.getErr();
    err.println(name + ": " + message + (message.contains("--help") ? "" : " (see `" + name + " --help`)"));
    err.flush();
    return USAGE;
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    err.println(cmd.getCommandSpec().qualifiedName() + ": " + message(ex));
    if (cmd.getCommand() instanceof VerboseCommand v && v.verbosity().verbose()) {
      ex.printStackTrace(err);
    }
    err.flush();
    return cmd.getCommand() instanceof UlpSubcommand s ? s.failureExitCode() : FAILURE;
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
