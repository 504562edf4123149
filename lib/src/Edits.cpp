//===- Edits.cpp ----------------------------------------------------------===//
#include "fanout/Edits.h"
#include "fanout/AstHelpers.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/StringExtras.h"

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

/// After the `// comment` that ends the line \p Loc is on, if the rest of
/// that line is one: the comment stays with its statement, not after a `}`.
static SourceLocation afterTrailingComment(SourceLocation Loc,
                                           const SourceManager &SM) {
  auto [File, Offset] = SM.getDecomposedLoc(Loc);
  bool Invalid = false;
  StringRef Buffer = SM.getBufferData(File, &Invalid);
  if (Invalid || Offset > Buffer.size())
    return Loc;
  StringRef Rest = Buffer.substr(Offset);
  StringRef Line = Rest.take_until([](char C) { return C == '\n'; });
  StringRef Trimmed = Line.ltrim(" \t");
  if (!Trimmed.starts_with("//"))
    return Loc;
  return Loc.getLocWithOffset(Line.rtrim(" \t\r").size());
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
  // `label: stmt` in a block: the new statement takes the label, so a jump
  // there runs it too.
  if (isa_and_nonnull<LabelStmt>(Parent) &&
      isa_and_nonnull<CompoundStmt>(Parents.getParent(Parent)))
    Parent = Parents.getParent(Parent);
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
    // A body on a line of its own becomes a block in the usual layout.
    if (std::optional<BraceOpening> Brace =
            braceOpening(Statement, Parent, Ctx)) {
      std::string Indent = indentationOf(Begin, SM);
      Out.push_back(FixItHint::CreateInsertion(Brace->OpenAt, " {"));
      Out.push_back(FixItHint::CreateInsertion(Begin, Code + "\n" + Indent));
      Out.push_back(FixItHint::CreateInsertion(
          afterTrailingComment(End, SM), "\n" + Brace->ParentIndent + "}"));
      return true;
    }
    Out.push_back(FixItHint::CreateInsertion(Begin, "{ " + Code + " "));
    Out.push_back(FixItHint::CreateInsertion(End, " }"));
    return true;
  }
  return false; // A case label, a label: leave it to the user.
}

std::optional<BraceOpening>
braceOpening(const Stmt *Statement, const Stmt *Parent, const ASTContext &Ctx) {
  if (!isa_and_nonnull<IfStmt, WhileStmt, ForStmt, DoStmt, CXXForRangeStmt>(
          Parent) ||
      isa<CompoundStmt>(Statement))
    return std::nullopt;
  const SourceManager &SM = Ctx.getSourceManager();
  SourceLocation Begin = Statement->getBeginLoc();
  if (Begin.isInvalid() || Begin.isMacroID() ||
      SM.getSpellingColumnNumber(Begin) != indentationOf(Begin, SM).size() + 1)
    return std::nullopt;
  // The text before the body, back to the `)`, `else` or `do` that ends
  // the header; anything else there (a comment) and no brace is placed.
  auto [File, Offset] = SM.getDecomposedLoc(Begin);
  bool Invalid = false;
  StringRef Buffer = SM.getBufferData(File, &Invalid);
  if (Invalid)
    return std::nullopt;
  StringRef Before = Buffer.take_front(Offset).rtrim();
  unsigned TokenLength = 0;
  auto IsIdent = [](char C) { return isAlnum(C) || C == '_'; };
  if (Before.ends_with(")"))
    TokenLength = 1;
  else if (Before.ends_with("else") || Before.ends_with("do"))
    TokenLength = Before.ends_with("else") ? 4 : 2;
  if (TokenLength == 0 || (Before.size() > TokenLength && TokenLength > 1 &&
                           IsIdent(Before[Before.size() - TokenLength - 1])))
    return std::nullopt;
  SourceLocation TokenBegin =
      SM.getComposedLoc(File, Before.size() - TokenLength);
  return BraceOpening{SM.getComposedLoc(File, Before.size()),
                      indentationOf(TokenBegin, SM)};
}

/// `p->` through an overloaded operator-> (a smart pointer): the pointer,
/// and the call goes through `->`.
static const Expr *pointerBehindArrow(const Expr *Object, bool &Arrow) {
  if (const auto *Op =
          dyn_cast_or_null<CXXOperatorCallExpr>(ignoreWrappers(Object));
      Op && Op->getOperator() == OO_Arrow && Op->getNumArgs() == 1) {
    Arrow = true;
    return Op->getArg(0);
  }
  return Object;
}

/// The members named \p Close of the queue class \p Object names (function
/// templates included), or of its one base when it declares none (a wrapper
/// over a queue); None when the class is unknown or dependent.
static std::optional<SmallVector<const CXXMethodDecl *, 2>>
closeMethods(const Expr *Object, StringRef Close) {
  QualType T = Object->getType();
  if (T->isPointerType())
    T = T->getPointeeType();
  const CXXRecordDecl *Record = T->getAsCXXRecordDecl();
  if (!Record || !Record->hasDefinition())
    return std::nullopt;
  SmallVector<const CXXMethodDecl *, 2> Found;
  for (const CXXRecordDecl *Class = Record->getDefinition(); Class;) {
    for (const Decl *D : Class->decls()) {
      const auto *Method = dyn_cast<CXXMethodDecl>(D);
      if (const auto *Template = dyn_cast<FunctionTemplateDecl>(D))
        Method = dyn_cast<CXXMethodDecl>(Template->getTemplatedDecl());
      if (Method && Method->getIdentifier() && Method->getName() == Close)
        Found.push_back(Method);
    }
    Class = Found.empty() && Class->getNumBases() == 1
                ? Class->bases_begin()->getType()->getAsCXXRecordDecl()
                : nullptr;
  }
  return Found;
}

bool closeTakesNoArguments(const Expr *Object, StringRef Close) {
  std::optional<SmallVector<const CXXMethodDecl *, 2>> Methods =
      closeMethods(Object, Close);
  // Dependent, unknown or not declared: as the inference read it.
  return !Methods || Methods->empty() ||
         any_of(*Methods, [](const CXXMethodDecl *M) {
           return M->getMinRequiredArguments() == 0;
         });
}

bool closeRefusesSecondCall(const Expr *Object, StringRef Close) {
  std::optional<SmallVector<const CXXMethodDecl *, 2>> Methods =
      closeMethods(Object, Close);
  if (!Methods)
    return false;
  bool Refuses = false;
  for (const CXXMethodDecl *Method : *Methods) {
    const FunctionDecl *Def = Method->getDefinition();
    if (!Def || !Def->getBody())
      continue;
    forEachDescendant(Def->getBody(), [&](const Stmt *S) {
      if (isa<CXXThrowExpr>(S))
        Refuses = true;
      if (const auto *Call = dyn_cast<CallExpr>(S)) {
        StringRef Name = calleeName(Call);
        Refuses |=
            Name.contains("assert") || Name == "abort" || Name == "terminate";
      }
    });
  }
  return Refuses;
}

bool closeTakesException(const Expr *Object, StringRef Close) {
  std::optional<SmallVector<const CXXMethodDecl *, 2>> Methods =
      closeMethods(Object, Close);
  return Methods && any_of(*Methods, [](const CXXMethodDecl *M) {
           if (M->getNumParams() != 1)
             return false;
           const CXXRecordDecl *Param = M->getParamDecl(0)
                                            ->getType()
                                            .getNonReferenceType()
                                            ->getAsCXXRecordDecl();
           return Param && Param->getName() == "exception_ptr";
         });
}

std::string closeCallText(const Expr *Object, bool Arrow, bool FreeFunction,
                          StringRef Close, const ASTContext &Ctx,
                          StringRef Arguments) {
  if (!Object || (!FreeFunction && Arguments.empty() &&
                  !closeTakesNoArguments(Object, Close)))
    return {};
  Object = pointerBehindArrow(Object, Arrow);
  std::string Text = sourceText(Object, Ctx);
  if (Text.empty() || Close.empty())
    return {};
  if (FreeFunction)
    return Close.str() + "(" +
           (Object->getType()->isPointerType() ? Text : "&" + Text) + ")";
  return Text + (Arrow ? "->" : ".") + Close.str() + "(" + Arguments.str() +
         ")";
}

std::string closeGuardCode(const Expr *Object, bool Arrow, StringRef Close,
                           const ASTContext &Ctx, bool FreeFunction,
                           bool Flagged) {
  if (!Object || (!FreeFunction && !closeTakesNoArguments(Object, Close)))
    return {};
  Object = pointerBehindArrow(Object, Arrow);
  std::string Text = sourceText(Object, Ctx);
  if (Text.empty() || Close.empty() ||
      isa<CXXThisExpr>(Object->IgnoreParenImpCasts()))
    return {};
  // A C-style queue is closed by a function taking a pointer to it.
  if (FreeFunction && !Object->getType()->isPointerType())
    Text = "&" + Text;
  std::string Member = FreeFunction ? "queue;" : Arrow ? "queue;" : "&queue;";
  std::string CloseIt = FreeFunction ? Close.str() + "(queue);"
                        : Arrow      ? "queue->" + Close.str() + "();"
                                     : "queue." + Close.str() + "();";
  return "struct CloseOnExit { decltype(" + Text + ") " + Member +
         (Flagged ? " bool closed = false; ~CloseOnExit() { if (!closed) " +
                        CloseIt + " }"
                  : " ~CloseOnExit() { " + CloseIt + " }") +
         " } closeOnExit{" + Text + "};";
}

std::optional<FixItHint> closeGuardInsertion(const Stmt *Body,
                                             const Expr *Object, bool Arrow,
                                             StringRef Close,
                                             const ASTContext &Ctx,
                                             bool FreeFunction, bool Flagged) {
  const auto *Block = dyn_cast_or_null<CompoundStmt>(Body);
  if (!Block || isInMacro(Block->getSourceRange()))
    return std::nullopt;
  std::string Guard =
      closeGuardCode(Object, Arrow, Close, Ctx, FreeFunction, Flagged);
  if (Guard.empty())
    return std::nullopt;
  return firstInBlock(Block, Guard, Ctx);
}

std::vector<FixItHint> moveStatementAfter(const Stmt *Moved, const Stmt *After,
                                          const ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  SourceLocation From = Moved->getBeginLoc();
  SourceLocation To = afterStatement(Moved, Ctx);
  SourceLocation Destination = afterStatement(After, Ctx);
  if (To.isInvalid() || Destination.isInvalid() || From.isMacroID() ||
      isInMacro(After->getSourceRange()))
    return {};
  StringRef Text = Lexer::getSourceText(CharSourceRange::getCharRange(From, To),
                                        SM, Ctx.getLangOpts());
  if (Text.empty() || Text.contains('\n'))
    return {};
  std::string Indent = indentationOf(From, SM);
  StringRef Rest = Lexer::getSourceText(
      CharSourceRange::getCharRange(To, To.getLocWithOffset(1)), SM,
      Ctx.getLangOpts());
  if (Rest == "\n" && SM.getSpellingColumnNumber(From) == Indent.size() + 1) {
    From = From.getLocWithOffset(-int(Indent.size()));
    To = To.getLocWithOffset(1);
  }
  return {FixItHint::CreateRemoval(CharSourceRange::getCharRange(From, To)),
          FixItHint::CreateInsertion(Destination, "\n" + Indent + Text.str())};
}

std::optional<FixItHint> firstInBlock(const Stmt *Body, StringRef Code,
                                      const ASTContext &Ctx) {
  const auto *Block = dyn_cast_or_null<CompoundStmt>(Body);
  if (!Block || isInMacro(Block->getSourceRange()))
    return std::nullopt;
  std::string Guard = Code.str();
  const SourceManager &SM = Ctx.getSourceManager();
  SourceLocation AfterBrace = Block->getLBracLoc().getLocWithOffset(1);
  if (Block->body_empty())
    return FixItHint::CreateInsertion(AfterBrace, " " + Guard);
  SourceLocation First = Block->body_front()->getBeginLoc();
  if (First.isMacroID())
    return std::nullopt;
  // On a line of its own, indented like the first statement, when that is
  // on a line of its own.
  if (SM.getSpellingLineNumber(First) != SM.getSpellingLineNumber(AfterBrace))
    return FixItHint::CreateInsertion(First,
                                      Guard + "\n" + indentationOf(First, SM));
  return FixItHint::CreateInsertion(First, Guard + " ");
}

namespace {
/// \p Text with every line after the first indented two more spaces.
std::string indentedMore(StringRef Text) {
  std::string Out;
  for (char C : Text) {
    Out += C;
    if (C == '\n')
      Out += "  ";
  }
  return Out;
}
} // namespace

std::optional<FixItHint> wrapInRethrowingHandler(const Stmt *BodyStmt,
                                                 StringRef OnException,
                                                 const ASTContext &Ctx) {
  const auto *Body = dyn_cast_or_null<CompoundStmt>(BodyStmt);
  if (!Body || Body->body_empty() || isInMacro(Body->getSourceRange()))
    return std::nullopt;
  const SourceManager &SM = Ctx.getSourceManager();
  SourceLocation Begin = Body->body_front()->getBeginLoc();
  SourceLocation End = afterStatement(Body->body_back(), Ctx);
  if (Begin.isMacroID() || End.isInvalid() || End.isMacroID())
    return std::nullopt;
  StringRef Text = Lexer::getSourceText(
      CharSourceRange::getCharRange(Begin, End), SM, Ctx.getLangOpts());
  if (Text.empty())
    return std::nullopt;
  bool OneLine = SM.getSpellingLineNumber(Begin) ==
                 SM.getSpellingLineNumber(Body->getLBracLoc());
  std::string Code;
  if (OneLine) {
    Code = ("try { " + Text + " } catch (...) { " + OnException + " throw; }")
               .str();
  } else {
    std::string In = indentationOf(Begin, SM);
    Code = "try {\n" + In + "  " + indentedMore(Text) + "\n" + In +
           "} catch (...) {\n" + In + "  " + OnException.str() + "\n" + In +
           "  throw;\n" + In + "}";
  }
  return FixItHint::CreateReplacement(CharSourceRange::getCharRange(Begin, End),
                                      Code);
}

void insertIncludeIfMissing(StringRef Header, SourceLocation Near,
                            const ASTContext &Ctx,
                            std::vector<FixItHint> &Out) {
  const SourceManager &SM = Ctx.getSourceManager();
  if (Near.isInvalid())
    return;
  Near = SM.getExpansionLoc(Near);
  auto [File, NearOffset] = SM.getDecomposedLoc(Near);
  bool Invalid = false;
  StringRef Buffer = SM.getBufferData(File, &Invalid);
  if (Invalid)
    return;
  // Scan the directives before Near: the insertion point is after the last
  // #include that is not inside a conditional opened after the file's first
  // one (a header guard's #ifndef counts as the file's own level).
  std::string Wanted = ("<" + Header + ">").str();
  int Depth = 0, GuardDepth = -1;
  std::optional<unsigned> InsertAt;
  unsigned Offset = 0;
  while (Offset < Buffer.size() && Offset <= NearOffset) {
    size_t End = Buffer.find('\n', Offset);
    if (End == StringRef::npos)
      End = Buffer.size();
    StringRef Line = Buffer.slice(Offset, End).trim();
    unsigned Next = End + 1;
    if (Line.consume_front("#")) {
      Line = Line.ltrim();
      if (Line.starts_with("if")) {
        if (GuardDepth < 0 && !InsertAt)
          GuardDepth = Depth + 1;
        ++Depth;
      } else if (Line.starts_with("endif")) {
        --Depth;
      } else if (Line.consume_front("include")) {
        if (Line.trim() == Wanted)
          return; // Already included here.
        if (Depth <= std::max(GuardDepth, 0))
          InsertAt = Next;
      }
    }
    Offset = Next;
  }
  unsigned At = std::min<unsigned>(InsertAt.value_or(0), Buffer.size());
  FixItHint Include = FixItHint::CreateInsertion(SM.getComposedLoc(File, At),
                                                 "#include " + Wanted + "\n");
  if (none_of(Out, [&](const FixItHint &Hint) {
        return Hint.RemoveRange.getBegin() == Include.RemoveRange.getBegin() &&
               Hint.CodeToInsert == Include.CodeToInsert;
      }))
    Out.push_back(std::move(Include));
}

} // namespace fanout
