#include "fanout/Edits.h"
#include "TestSupport.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Tooling/Tooling.h"
#include "gtest/gtest.h"

using namespace fanout;

namespace {

/// Parses \p Code alone (no prelude: the edits look at the file's text).
std::unique_ptr<clang::ASTUnit> parseAlone(const std::string &Code) {
  return clang::tooling::buildASTFromCodeWithArgs(Code, {"-std=c++20"},
                                                  "input.cpp");
}

/// The include edits for \p Header near function `f`, applied to the text.
std::string withInclude(const std::string &Code, llvm::StringRef Header) {
  std::unique_ptr<clang::ASTUnit> AST = parseAlone(Code);
  EXPECT_TRUE(AST);
  if (!AST)
    return {};
  clang::ASTContext &Ctx = AST->getASTContext();
  const clang::FunctionDecl *F = test::findFunction(Ctx, "f");
  EXPECT_TRUE(F);
  if (!F)
    return {};
  std::vector<clang::FixItHint> Edits;
  insertIncludeIfMissing(Header, F->getLocation(), Ctx, Edits);
  // Asking twice must not add the header twice.
  insertIncludeIfMissing(Header, F->getLocation(), Ctx, Edits);
  EXPECT_LE(Edits.size(), 1u);
  std::string Text = Code;
  for (const clang::FixItHint &Edit : Edits) {
    unsigned Offset =
        Ctx.getSourceManager().getFileOffset(Edit.RemoveRange.getBegin());
    Text.insert(Offset, Edit.CodeToInsert);
  }
  return Text;
}

TEST(EditsTest, IncludeGoesAfterTheLastInclude) {
  EXPECT_EQ(withInclude("#include <stddef.h>\n#include <stdint.h>\n\n"
                        "void f() {}\n",
                        "atomic"),
            "#include <stddef.h>\n#include <stdint.h>\n#include <atomic>\n\n"
            "void f() {}\n");
}

TEST(EditsTest, IncludeAlreadyThereIsNotRepeated) {
  std::string Code = "#include <stddef.h>\n#  include   <stdint.h>\n"
                     "void f() {}\n";
  EXPECT_EQ(withInclude(Code, "stdint.h"), Code);
}

TEST(EditsTest, IncludeSkipsConditionalBlocks) {
  // An #include inside `#if` is not a place for an unconditional one.
  EXPECT_EQ(withInclude("#include <stddef.h>\n#if 0\n#include <nothere>\n"
                        "#endif\nvoid f() {}\n",
                        "atomic"),
            "#include <stddef.h>\n#include <atomic>\n#if 0\n"
            "#include <nothere>\n#endif\nvoid f() {}\n");
}

TEST(EditsTest, IncludeInsideTheHeaderGuard) {
  EXPECT_EQ(withInclude("#ifndef G\n#define G\n#include <stddef.h>\n"
                        "void f() {}\n#endif\n",
                        "atomic"),
            "#ifndef G\n#define G\n#include <stddef.h>\n#include <atomic>\n"
            "void f() {}\n#endif\n");
}

TEST(EditsTest, IncludeInAFileWithoutIncludesGoesFirst) {
  EXPECT_EQ(withInclude("void f() {}\n", "atomic"),
            "#include <atomic>\nvoid f() {}\n");
}

/// The brace opening for the body of the first if/while in `f`.
std::optional<BraceOpening> openingIn(const std::string &Code,
                                      std::string *Text = nullptr) {
  std::unique_ptr<clang::ASTUnit> AST = parseAlone(Code);
  if (!AST)
    return std::nullopt;
  clang::ASTContext &Ctx = AST->getASTContext();
  const clang::FunctionDecl *F = test::findFunction(Ctx, "f");
  if (!F || !F->getBody())
    return std::nullopt;
  for (const clang::Stmt *S :
       llvm::cast<clang::CompoundStmt>(F->getBody())->body()) {
    const clang::Stmt *Body = nullptr;
    if (const auto *If = llvm::dyn_cast<clang::IfStmt>(S))
      Body = If->getElse() ? If->getElse() : If->getThen();
    else if (const auto *While = llvm::dyn_cast<clang::WhileStmt>(S))
      Body = While->getBody();
    if (!Body)
      continue;
    std::optional<BraceOpening> Brace = braceOpening(Body, S, Ctx);
    if (Brace && Text) {
      unsigned Offset = Ctx.getSourceManager().getFileOffset(Brace->OpenAt);
      *Text = Code.substr(0, Offset) + " {" + Code.substr(Offset);
    }
    return Brace;
  }
  return std::nullopt;
}

TEST(EditsTest, BraceOpensAfterTheConditionOfALoneBody) {
  std::string Text;
  std::optional<BraceOpening> Brace = openingIn(
      "void g();\nvoid f(int x) {\n  if (x > 0)\n    g();\n}\n", &Text);
  ASSERT_TRUE(Brace);
  EXPECT_EQ(Brace->ParentIndent, "  ");
  EXPECT_EQ(Text, "void g();\nvoid f(int x) {\n  if (x > 0) {\n    g();\n}\n");
}

TEST(EditsTest, BraceOpensAfterElse) {
  std::string Text;
  ASSERT_TRUE(openingIn("void g();\nvoid f(int x) {\n\tif (x) g();\n\telse\n"
                        "\t\tg();\n}\n",
                        &Text));
  EXPECT_NE(Text.find("\telse {\n"), std::string::npos);
}

TEST(EditsTest, NoBraceWhereTheLayoutIsUnusual) {
  // A body on the same line, and a comment between the header and the body.
  EXPECT_FALSE(openingIn("void g();\nvoid f(int x) {\n  if (x) g();\n}\n"));
  EXPECT_FALSE(openingIn(
      "void g();\nvoid f(int x) {\n  while (x) // why\n    g();\n}\n"));
  EXPECT_FALSE(openingIn("void g();\nvoid f(int x) {\n  if (x)\n    {\n"
                         "      g();\n    }\n}\n"));
}

} // namespace
