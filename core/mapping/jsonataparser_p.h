#pragma once

// Parser of JSONata expressions and the compiled program. Internal to core/mapping.

#include "mapping/jsonataast_p.h"
#include "mapping/jsonatasignature_p.h"

#include <QStringView>

#include <memory>
#include <vector>

namespace Conflux::Mapping::Internal {

// A compiled expression: the tree and everything it points to. Immutable after parse();
// shared by every Expression copy and by every function value the program creates.
struct Program
{
    QString source;
    Node *root = nullptr;

    std::vector<std::unique_ptr<Node>> nodes;
    std::vector<std::unique_ptr<Slot>> ancestorSlots;
    std::vector<std::unique_ptr<Group>> groups;
    std::vector<std::unique_ptr<Signature>> signatures;

    Node *newNode(NodeType type, int position = 0)
    {
        nodes.push_back(std::make_unique<Node>());
        Node *n = nodes.back().get();
        n->type = type;
        n->position = position;
        return n;
    }
};

// Parses `source` into a program. Throws JsonataException with an S0xxx code (or U1001
// when the expression nests deeper than the parser allows) and the character position.
std::shared_ptr<Program> parseProgram(QStringView source);

// The post-pass (jsonataprocess.cpp): turns the raw Pratt tree into the evaluation tree.
Node *processTree(Program &program, Node *raw);

// Deepest nesting of the expression text the parser accepts; keeps its recursion far
// inside the stack of any thread.
constexpr int maxParseDepth = 500;

} // namespace Conflux::Mapping::Internal
