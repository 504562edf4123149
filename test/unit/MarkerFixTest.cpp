//===- MarkerFixTest.cpp - The end-marker guard alone
//----------------------===//
//
// planEndMarkerGuard on a producer function of a snippet: what moves into
// the lambda that sends the markers, and where it declines.
//
//===----------------------------------------------------------------------===//
#include "TestSupport.h"

#include "fanout/AstHelpers.h"
#include "fanout/MarkerFix.h"
#include "clang/AST/ParentMap.h"
#include "gtest/gtest.h"

using namespace fanout;
using namespace fanout::test;

namespace {

struct Planned {
  std::vector<std::string> Inserted;
  bool Parsed = false;
};

/// The guard's edits for `load`: its first call of `put` is the first push,
/// its last the marker push.
Planned planFor(const std::string &Code) {
  Planned Result;
  std::unique_ptr<clang::ASTUnit> AST = parse(Code);
  if (!AST)
    return Result;
  clang::ASTContext &Ctx = AST->getASTContext();
  const clang::FunctionDecl *Load = findFunction(Ctx, "load");
  if (!Load || !Load->getBody())
    return Result;
  Result.Parsed = true;
  std::vector<const clang::CallExpr *> Puts;
  forEachDescendant(Load->getBody(), [&](const clang::Stmt *S) {
    if (const auto *Call = llvm::dyn_cast<clang::CallExpr>(S))
      if (calleeName(Call) == "put")
        Puts.push_back(Call);
  });
  if (Puts.size() < 2)
    return Result;
  clang::ParentMap Parents(Load->getBody());
  for (const clang::FixItHint &Fix :
       planEndMarkerGuard(Load, Puts.back(), Puts.front(), Parents, Ctx))
    Result.Inserted.push_back(Fix.CodeToInsert);
  return Result;
}

const char *Declarations = R"cpp(
struct Msg { int len; int value; };
struct Ring;
void put(Ring *r, const Msg *m);
int next(Msg *m);
)cpp";

TEST(MarkerFixTest, TheAssignmentsThatMakeTheMarkerMoveWithIt) {
  Planned P = planFor(std::string(Declarations) + R"cpp(
int load(Ring *r, int workers) {
  Msg m;
  while (next(&m) > 0)
    put(r, &m);
  if (m.value < 0)
    return -1;
  m.len = -1;
  m.value = 0;
  for (int i = 0; i < workers; i++)
    put(r, &m);
  return 0;
}
)cpp");
  ASSERT_TRUE(P.Parsed);
  ASSERT_EQ(P.Inserted.size(), 2u);
  EXPECT_NE(P.Inserted[0].find("m.len = -1;\n    m.value = 0;\n    for"),
            std::string::npos)
      << P.Inserted[0];
  EXPECT_EQ(P.Inserted[1],
            "endMarkersOnExit.sent = true;\n  sendEndMarkers();");
}

TEST(MarkerFixTest, AssignmentsOfAnotherVariableStay) {
  Planned P = planFor(std::string(Declarations) + R"cpp(
int load(Ring *r, int workers) {
  Msg m, last;
  while (next(&m) > 0)
    put(r, &m);
  if (m.value < 0)
    return -1;
  last.value = m.value;
  m.len = -1;
  for (int i = 0; i < workers; i++)
    put(r, &m);
  return last.value;
}
)cpp");
  ASSERT_TRUE(P.Parsed);
  ASSERT_EQ(P.Inserted.size(), 2u);
  EXPECT_EQ(P.Inserted[0].find("last.value"), std::string::npos)
      << P.Inserted[0];
  EXPECT_NE(P.Inserted[0].find("m.len = -1;"), std::string::npos)
      << P.Inserted[0];
}

TEST(MarkerFixTest, DeclinesMarkerCodeThatReturns) {
  Planned P = planFor(std::string(Declarations) + R"cpp(
int load(Ring *r, int workers) {
  Msg m;
  while (next(&m) > 0)
    put(r, &m);
  m.len = -1;
  for (int i = 0; i < workers; i++) {
    if (i > 8)
      return 1;
    put(r, &m);
  }
  return 0;
}
)cpp");
  ASSERT_TRUE(P.Parsed);
  EXPECT_TRUE(P.Inserted.empty());
}

} // namespace
