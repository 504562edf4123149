//===- Options.h - User configuration of the analysis ---------------------===//
#ifndef FANOUT_OPTIONS_H
#define FANOUT_OPTIONS_H

#include "llvm/ADT/StringRef.h"
#include <string>
#include <vector>

namespace fanout {

/// A method named by the user for one role. `Type` is empty when the entry
/// named a bare method, which then applies to every configured queue type.
struct MethodName {
  std::string Type;
  std::string Method;
};

/// What users can tell the analysis beyond what it recognises itself. Mirrors
/// the CheckOptions of the fanout checks one to one.
struct AnalysisOptions {
  /// Extra bounded queue types (qualified names).
  std::vector<std::string> QueueTypes;
  std::vector<MethodName> BlockingPushMethods;
  std::vector<MethodName> BlockingPopMethods;
  std::vector<MethodName> CloseMethods;
  std::vector<MethodName> NonBlockingPushMethods;
  /// Extra thread types whose constructor runs its first argument.
  std::vector<std::string> ThreadTypes;
  /// Extra functions that run their first callable argument asynchronously.
  std::vector<std::string> SpawnFunctions;
  /// Recognise hand-written queues from their own code.
  bool InferQueues = true;
};

/// Parses a semicolon-separated list of `[ns::Type::]method` entries. Returns
/// false and sets \p Error (naming the bad entry) when an entry is malformed.
bool parseMethodList(llvm::StringRef Text, std::vector<MethodName> &Out,
                     std::string &Error);
/// Parses a semicolon-separated list of qualified names.
bool parseNameList(llvm::StringRef Text, std::vector<std::string> &Out,
                   std::string &Error);
/// The inverse of the parsers, for `--dump-config`.
std::string formatMethodList(const std::vector<MethodName> &Methods);
std::string formatNameList(const std::vector<std::string> &Names);

} // namespace fanout

#endif
