//===- Options.cpp - Parsing the user's lists -----------------------------===//
#include "fanout/Options.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

using namespace llvm;

namespace fanout {

static bool isIdentifier(StringRef Name) {
  if (Name.empty() || !(isAlpha(Name.front()) || Name.front() == '_'))
    return false;
  return all_of(Name, [](char C) { return isAlnum(C) || C == '_'; });
}

/// A qualified name: identifiers joined by `::`, with an optional leading
/// `::`.
static bool isQualifiedName(StringRef Name) {
  Name.consume_front("::");
  SmallVector<StringRef, 4> Parts;
  Name.split(Parts, "::");
  return all_of(Parts, isIdentifier);
}

static SmallVector<StringRef, 8> splitList(StringRef Text) {
  SmallVector<StringRef, 8> Items;
  Text.split(Items, ';', -1, /*KeepEmpty=*/false);
  for (StringRef &Item : Items)
    Item = Item.trim();
  return Items;
}

bool parseNameList(StringRef Text, std::vector<std::string> &Out,
                   std::string &Error) {
  for (StringRef Item : splitList(Text)) {
    if (Item.empty())
      continue;
    if (!isQualifiedName(Item)) {
      Error = ("'" + Item + "' is not a qualified name").str();
      return false;
    }
    Item.consume_front("::");
    Out.push_back(Item.str());
  }
  return true;
}

bool parseMethodList(StringRef Text, std::vector<MethodName> &Out,
                     std::string &Error) {
  for (StringRef Item : splitList(Text)) {
    if (Item.empty())
      continue;
    if (!isQualifiedName(Item)) {
      Error = ("'" + Item + "' is not a method name or Type::method").str();
      return false;
    }
    Item.consume_front("::");
    auto [Type, Method] = Item.rsplit("::");
    if (Method.empty())
      Out.push_back({"", Type.str()});
    else
      Out.push_back({Type.str(), Method.str()});
  }
  return true;
}

std::string formatNameList(const std::vector<std::string> &Names) {
  return join(Names, ";");
}

std::string formatMethodList(const std::vector<MethodName> &Methods) {
  std::vector<std::string> Items;
  for (const MethodName &M : Methods)
    Items.push_back(M.Type.empty() ? M.Method : M.Type + "::" + M.Method);
  return join(Items, ";");
}

} // namespace fanout
