package io.kulp.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Lets options come before the verb, as libpulp's {@code ulp -p PID check PATCH} and
 * {@code ulp -p PID patches} do: libpulp finds the verb first and then parses every other word
 * with that verb's options. This does the same ahead of picocli: when the words before the first
 * verb are all options of that verb, they are moved after it. Each verb keeps its own options, so
 * {@code ulp -p 1 dump F} is still refused (dump has no {@code -p}); picocli's inherited options
 * would instead make every option valid on every verb.
 */
final class VerbFirst {
  private VerbFirst() {}

  /** {@code args} with the verb first, when options precede it; otherwise {@code args} unchanged. */
  static String[] reorder(CommandSpec root, String[] args) {
    if (args.length == 0 || !args[0].startsWith("-")) {
      return args;
    }
    for (int i = 1; i < args.length; i++) {
      CommandSpec verb = root.subcommands().containsKey(args[i]) ? root.subcommands().get(args[i]).getCommandSpec()
          : null;
      if (verb != null && optionsOnly(verb, args, i)) {
        List<String> out = new ArrayList<>(args.length);
        out.add(args[i]);
        out.addAll(List.of(args).subList(0, i));
        out.addAll(List.of(args).subList(i + 1, args.length));
        return out.toArray(String[]::new);
      }
    }
    return args;
  }

  /** Whether {@code args[0..end)} are options of {@code verb}, with their values. */
  private static boolean optionsOnly(CommandSpec verb, String[] args, int end) {
    int i = 0;
    while (i < end) {
      String word = args[i];
      if (!word.startsWith("-") || word.equals("-") || word.equals("--")) {
        return false;
      }
      if (word.startsWith("--")) {
        int eq = word.indexOf('=');
        OptionSpec option = verb.findOption(eq < 0 ? word : word.substring(0, eq));
        if (option == null) {
          return false;
        }
        i += eq < 0 && option.arity().min() > 0 ? 2 : 1;
        continue;
      }
      // Short options, perhaps clustered (-qv) or with their value attached (-p123).
      int skip = 1;
      for (int c = 1; c < word.length(); c++) {
        OptionSpec option = verb.findOption(word.charAt(c));
        if (option == null) {
          return false;
        }
        if (option.arity().min() > 0) {
          skip = c == word.length() - 1 ? 2 : 1;
          break;
        }
      }
      i += skip;
    }
    return i == end;
  }
}
