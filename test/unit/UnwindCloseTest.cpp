//===- UnwindCloseTest.cpp - The close-on-unwind wrap alone ---------------===//
//
// planUnwindCloses on the function `emit` of a snippet, its queue named by
// its first call of `put`: the handler it wraps the body in, and where it
// declines.
//
//===----------------------------------------------------------------------===//
#include "TestSupport.h"

#include "fanout/AstHelpers.h"
#include "fanout/UnwindCloseFix.h"
#include "gtest/gtest.h"

using namespace fanout;
using namespace fanout::test;

namespace {

struct Planned {
  std::vector<std::string> Inserted;
  bool Parsed = false;
};

Planned planFor(const std::string &Code) {
  Planned Result;
  std::unique_ptr<clang::ASTUnit> AST = parse(Code);
  if (!AST)
    return Result;
  clang::ASTContext &Ctx = AST->getASTContext();
  const clang::FunctionDecl *Emit = findFunction(Ctx, "emit");
  if (!Emit || !Emit->getBody())
    return Result;
  const clang::CXXMemberCallExpr *Put = nullptr;
  forEachDescendant(Emit->getBody(), [&](const clang::Stmt *S) {
    if (const auto *Call = llvm::dyn_cast<clang::CXXMemberCallExpr>(S);
        Call && !Put && calleeName(Call) == "put")
      Put = Call;
  });
  if (!Put)
    return Result;
  Result.Parsed = true;
  ReachedOp Names;
  Names.Op.Call = Put;
  Names.Op.Object = Put->getImplicitObjectArgument();
  Names.Op.Arrow = false;
  UnwindCloseSite Site{Emit, &Names};
  for (const clang::FixItHint &Fix : planUnwindCloses(Site, "fail", Ctx))
    Result.Inserted.push_back(Fix.CodeToInsert);
  return Result;
}

const char *Declarations = R"cpp(
namespace std {
struct exception_ptr {};
exception_ptr current_exception();
}
struct Stream {
  void put(int v);
  void fail(std::exception_ptr why);
  void close();
};
int frame(int v);
)cpp";

TEST(UnwindCloseTest, WrapsTheBodyAndRethrows) {
  Planned P = planFor(std::string(Declarations) + R"cpp(
void emit(Stream &s, int n) {
  for (int i = 0; i < n; ++i)
    s.put(frame(i));
  s.put(-1);
}
)cpp");
  ASSERT_TRUE(P.Parsed);
  ASSERT_EQ(P.Inserted.size(), 2u);
  EXPECT_EQ(P.Inserted[0], "try {\n"
                           "    for (int i = 0; i < n; ++i)\n"
                           "      s.put(frame(i));\n"
                           "    s.put(-1);\n"
                           "  } catch (...) {\n"
                           "    s.fail(std::current_exception());\n"
                           "    throw;\n"
                           "  }");
  EXPECT_EQ(P.Inserted[1], "#include <exception>\n");
}

TEST(UnwindCloseTest, DeclinesAQueueNamedThroughALocal) {
  // The handler after the try block cannot see `q`.
  Planned P = planFor(std::string(Declarations) + R"cpp(
void emit(Stream *streams, int which) {
  Stream &q = streams[which];
  q.put(frame(which));
  q.put(-1);
}
)cpp");
  ASSERT_TRUE(P.Parsed);
  EXPECT_TRUE(P.Inserted.empty());
}

TEST(UnwindCloseTest, DeclinesACloseWithoutTheReason) {
  Planned P = planFor(R"cpp(
struct Stream {
  void put(int v);
  void fail();
};
int frame(int v);
void emit(Stream &s) {
  s.put(frame(0));
  s.put(-1);
}
)cpp");
  ASSERT_TRUE(P.Parsed);
  EXPECT_TRUE(P.Inserted.empty());
}

TEST(UnwindCloseTest, NamesTheQueueThroughAParameterOrAMember) {
  Planned P = planFor(std::string(Declarations) + R"cpp(
struct Writer {
  Stream streams[4];
  void emit(unsigned node) {
    streams[node].put(frame(int(node)));
    streams[node].put(-1);
  }
};
)cpp");
  ASSERT_TRUE(P.Parsed);
  ASSERT_FALSE(P.Inserted.empty());
  EXPECT_NE(P.Inserted[0].find("streams[node].fail(std::current_exception());"),
            std::string::npos);
}

} // namespace
