#include "help_text.hpp"

#include <set>
#include <string>

namespace sqsctl {

void group_commands(CLI::App& app) {
  const std::set<std::string> queue_commands = {"create-queue",  "delete-queue", "get-queue-url",
                                                "list-queues",   "purge",        "get-attributes",
                                                "set-attributes"};
  const std::set<std::string> message_commands = {"send", "send-batch", "receive", "delete",
                                                  "change-visibility"};
  for (auto* command : app.get_subcommands({})) {
    const std::string& name = command->get_name();
    command->group(queue_commands.contains(name)     ? "Queue commands"
                   : message_commands.contains(name) ? "Message commands"
                                                     : "Other commands");
  }
}

}  // namespace sqsctl
