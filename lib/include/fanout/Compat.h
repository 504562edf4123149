//===- Compat.h - The one place for LLVM/Clang version differences --------===//
//
// fanout-tidy builds against LLVM 19 and 22 from one tree. Every API or AST
// difference between the supported releases is absorbed here, so the rest of
// the code is written once.
//
//===----------------------------------------------------------------------===//
#ifndef FANOUT_COMPAT_H
#define FANOUT_COMPAT_H

#include "clang/AST/Type.h"

namespace fanout::compat {

/// Strips type sugar that only records how a type was spelled. Clang 22 folded
/// ElaboratedType (the `ns::` in `ns::T`) into the types themselves; before
/// that it is a wrapper that hides the named type from isa<> checks.
inline clang::QualType withoutSpellingSugar(clang::QualType T) {
#if FANOUT_LLVM_MAJOR < 22
  while (const auto *Elaborated = T->getAs<clang::ElaboratedType>())
    T = Elaborated->getNamedType();
#endif
  return T;
}

} // namespace fanout::compat

#endif
