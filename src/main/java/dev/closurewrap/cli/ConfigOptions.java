package dev.closurewrap.cli;

import dev.closurewrap.bundle.ConfigLoader;
import dev.closurewrap.bundle.WrapConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --config FILE} and {@code --option KEY VALUE}: the configuration layers a command line adds. */
final class ConfigOptions {
    @Option(names = "--config", paramLabel = "FILE", order = 100,
            description = "Read settings from FILE too, over the built-in defaults, /etc/closure-wrap/config and "
                    + "$XDG_CONFIG_HOME/closure-wrap/config (see docs/configuration.md).")
    Path configFile;

    @Option(names = "--option", arity = "2", paramLabel = "KEY VALUE", hideParamSyntax = true, order = 101,
            description = "Set a configuration key for this run, over every file (as nix's --option).")
    List<String> options;

    /** The layered configuration: files first, then the {@code --option} pairs. */
    WrapConfig load(ConfigLoader loader) throws IOException {
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        if (options != null) {
            for (int i = 0; i + 1 < options.size(); i += 2) {
                pairs.add(Map.entry(options.get(i), options.get(i + 1)));
            }
        }
        return loader.load(Optional.ofNullable(configFile), pairs);
    }
}
