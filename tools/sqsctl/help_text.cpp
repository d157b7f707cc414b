#include "help_text.hpp"

#include <string>

namespace sqsctl {

void group_commands(CLI::App& app) {
  for (auto* command : app.get_subcommands({})) {
    const std::string& name = command->get_name();
    bool queue_command = name == "create-queue" || name == "delete-queue" ||
                         name == "get-queue-url" || name == "list-queues" || name == "purge" ||
                         name == "get-attributes" || name == "set-attributes";
    command->group(queue_command ? "Queue commands" : "Message commands");
  }
}

}  // namespace sqsctl
