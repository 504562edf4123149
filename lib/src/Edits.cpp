//===- Edits.cpp ----------------------------------------------------------===//
#include "fanout/Edits.h"
#include "fanout/AstHelpers.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"

using namespace clang;
using namespace llvm;

namespace fanout {

std::string indentationOf(SourceLocation Loc, const SourceManager &SM) {
  std::pair<FileID, unsigned> Decomposed = SM.getDecomposedLoc(Loc);
  bool Invalid = false;
  StringRef Buffer = SM.getBufferData(Decomposed.first, &Invalid);
  if (Invalid)
    return {};
  StringRef Before = Buffer.take_front(Decomposed.second);
  StringRef Line = Before.substr(Before.rfind('\n') + 1);
  return Line.take_while([](char C) { return C == ' ' || C == '\t'; }).str();
}

SourceLocation afterStatement(const Stmt *S, const ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  SourceLocation End = S->getEndLoc();
  if (isa<CompoundStmt>(S))
    return Lexer::getLocForEndOfToken(End, 0, SM, Ctx.getLangOpts());
  SourceLocation AfterSemi =
      Lexer::findLocationAfterToken(End, tok::semi, SM, Ctx.getLangOpts(),
                                    /*SkipTrailingWhitespaceAndNewLine=*/false);
  if (AfterSemi.isValid())
    return AfterSemi;
  return Lexer::getLocForEndOfToken(End, 0, SM, Ctx.getLangOpts());
}

bool insertStatementBefore(const Stmt *S, const ParentMap &Parents,
                           const std::string &Code, const ASTContext &Ctx,
                           std::vector<FixItHint> &Out) {
  const SourceManager &SM = Ctx.getSourceManager();
  // Climb from an expression to the statement that holds it.
  const Stmt *Statement = S;
  for (const Stmt *P = Parents.getParent(Statement); P;
       Statement = P, P = Parents.getParent(P))
    if (!isa<Expr>(P) || isa<StmtExpr>(P))
      break;
  if (isInMacro(Statement->getSourceRange()))
    return false;
  const Stmt *Parent = Parents.getParent(Statement);
  SourceLocation Begin = Statement->getBeginLoc();
  if (isa_and_nonnull<CompoundStmt>(Parent)) {
    std::string Indent = indentationOf(Begin, SM);
    bool StartsLine = SM.getSpellingColumnNumber(Begin) == Indent.size() + 1;
    Out.push_back(FixItHint::CreateInsertion(
        Begin, StartsLine ? Code + "\n" + Indent : Code + " "));
    return true;
  }
  if (isa_and_nonnull<IfStmt, WhileStmt, ForStmt, DoStmt, CXXForRangeStmt>(
          Parent)) {
    SourceLocation End = afterStatement(Statement, Ctx);
    if (End.isInvalid() || End.isMacroID())
      return false;
    Out.push_back(FixItHint::CreateInsertion(Begin, "{ " + Code + " "));
    Out.push_back(FixItHint::CreateInsertion(End, " }"));
    return true;
  }
  return false; // A case label, a label: leave it to the user.
}

} // namespace fanout
