// The post-pass over the raw parse tree: location paths become Path nodes with steps,
// predicates become per-step stages, focus/index bindings and `%` ancestry become tuple
// bindings, tail calls in lambda bodies are marked. Mirrors the reference's processAST.

#include "mapping/jsonataevaluator_p.h"
#include "mapping/jsonatafunctions_p.h"
#include "mapping/jsonataparser_p.h"

using namespace Qt::StringLiterals;

namespace Conflux::Mapping::Internal {

namespace {

constexpr int maxTreeDepth = maxParseDepth * 4;

class Processor
{
public:
    explicit Processor(Program &program) : m_program(program) {}

    Node *process(Node *expr);
    void finalize(Node *root);

private:
    [[noreturn]] static void fail(const char *code, int position, const QString &message,
                                  const QString &token = {})
    {
        throw JsonataException(QString::fromLatin1(code), position, message, token);
    }

    Node *processBinary(Node *expr);
    Slot *seekParent(Node *node, Slot *slot);
    static void pushAncestry(Node *result, Node *value);
    void resolveAncestry(Node *path);
    static Node *tailCallOptimize(Node *expr);
    static bool bindsIn(const Node *n, int depth);
    void mark(Node *n, int depth);

    Program &m_program;
    int m_depth = 0;
    int m_ancestorLabel = 0;
    int m_ancestorIndex = 0;
};

void Processor::pushAncestry(Node *result, Node *value)
{
    if (!value->seekingParent && value->type != NodeType::Parent)
        return;
    SlotList pending = value->seekingParent ? value->seekingParent
                                          : std::make_shared<std::vector<Slot *>>();
    if (value->type == NodeType::Parent)
        pending->push_back(value->slot);
    if (!result->seekingParent) {
        result->seekingParent = pending;
    } else {
        const std::vector<Slot *> copy = *pending;   // may be the same list
        result->seekingParent->insert(result->seekingParent->end(), copy.begin(), copy.end());
    }
}

Slot *Processor::seekParent(Node *node, Slot *slot)
{
    switch (node->type) {
    case NodeType::Name:
    case NodeType::Wildcard:
        --slot->level;
        if (slot->level == 0) {
            if (node->ancestor)
                slot->label = node->ancestor->label;   // reuse the existing label
            node->ancestor = slot;
            node->tuple = true;
        }
        break;
    case NodeType::Parent:
        ++slot->level;
        break;
    case NodeType::Block:
        if (!node->items.empty()) {
            node->tuple = true;
            slot = seekParent(node->items.back(), slot);
        }
        break;
    case NodeType::Path: {
        node->tuple = true;
        qsizetype index = qsizetype(node->items.size()) - 1;
        slot = seekParent(node->items[size_t(index--)], slot);
        while (slot->level > 0 && index >= 0)
            slot = seekParent(node->items[size_t(index--)], slot);
        break;
    }
    default:
        fail("S0217", node->position,
             u"The object representing the 'parent' cannot be derived from this expression"_s);
    }
    return slot;
}

void Processor::resolveAncestry(Node *path)
{
    Node *last = path->items.back();
    SlotList pending = last->seekingParent ? last->seekingParent
                                         : std::make_shared<std::vector<Slot *>>();
    if (last->type == NodeType::Parent)
        pending->push_back(last->slot);
    for (size_t is = 0; is < pending->size(); ++is) {
        Slot *slot = (*pending)[is];
        qsizetype index = qsizetype(path->items.size()) - 2;
        while (slot->level > 0) {
            if (index < 0) {
                if (!path->seekingParent)
                    path->seekingParent = std::make_shared<std::vector<Slot *>>();
                path->seekingParent->push_back(slot);
                break;
            }
            Node *step = path->items[size_t(index--)];
            // contiguous steps that bind the focus are skipped together
            while (index >= 0 && !step->focus.isEmpty() && !path->items[size_t(index)]->focus.isEmpty())
                step = path->items[size_t(index--)];
            slot = seekParent(step, slot);
        }
    }
}

Node *Processor::tailCallOptimize(Node *expr)
{
    // A result that is post-processed (predicate, grouping, []) is not in tail position.
    if (!expr->predicates.empty() || expr->group || expr->keepArray)
        return expr;
    if (expr->type == NodeType::Function) {
        expr->tailCall = true;
    } else if (expr->type == NodeType::Condition) {
        tailCallOptimize(expr->rhs);
        if (expr->third)
            tailCallOptimize(expr->third);
    } else if (expr->type == NodeType::Block && !expr->items.empty()) {
        tailCallOptimize(expr->items.back());
    }
    return expr;
}

Node *Processor::processBinary(Node *expr)
{
    Node *result = nullptr;
    switch (expr->op) {
    case Op::Dot: {
        Node *lstep = process(expr->lhs);
        if (lstep->type == NodeType::Path) {
            result = lstep;
        } else {
            result = m_program.newNode(NodeType::Path, lstep->position);
            result->items.push_back(lstep);
        }
        if (lstep->type == NodeType::Parent)
            result->seekingParent = std::make_shared<std::vector<Slot *>>(1, lstep->slot);
        Node *rest = process(expr->rhs);
        if (rest->type == NodeType::Path) {
            result->items.insert(result->items.end(), rest->items.begin(), rest->items.end());
        } else {
            if (!rest->predicates.empty()) {
                rest->stages = std::move(rest->predicates);
                rest->predicates.clear();
            }
            result->items.push_back(rest);
        }
        for (Node *step : result->items) {
            if (step->type == NodeType::Number || step->type == NodeType::Literal) {
                fail("S0213", step->position,
                     u"The literal value %1 cannot be used as a step within a path expression"_s
                         .arg(step->text),
                     step->text);
            }
            if (step->type == NodeType::String)
                step->type = NodeType::Name;   // text already holds the name
        }
        for (const Node *step : result->items) {
            if (step->keepArray)
                result->keepSingletonArray = true;
        }
        if (result->items.front()->type == NodeType::ArrayCons)
            result->items.front()->consArray = true;
        if (result->items.back()->type == NodeType::ArrayCons)
            result->items.back()->consArray = true;
        resolveAncestry(result);
        break;
    }
    case Op::Filter: {
        result = process(expr->lhs);
        Node *step = result;
        bool stages = false;
        if (result->type == NodeType::Path) {
            step = result->items.back();
            stages = true;
        }
        if (step->group) {
            fail("S0209", expr->position,
                 u"A predicate cannot follow a grouping expression in a step"_s);
        }
        Node *predicate = process(expr->rhs);
        if (predicate->seekingParent) {
            for (Slot *slot : *predicate->seekingParent) {
                if (slot->level == 1)
                    seekParent(step, slot);
                else
                    --slot->level;
            }
            pushAncestry(step, predicate);
        }
        Stage stage;
        stage.expr = predicate;
        stage.position = expr->position;
        (stages ? step->stages : step->predicates).push_back(stage);
        break;
    }
    case Op::Group: {
        result = process(expr->lhs);
        if (result->group)
            fail("S0210", expr->position, u"Each step can only have one grouping expression"_s);
        m_program.groups.push_back(std::make_unique<Group>());
        Group *group = m_program.groups.back().get();
        group->position = expr->position;
        for (const auto &[k, v] : expr->pairs)
            group->pairs.emplace_back(process(k), process(v));
        result->group = group;
        break;
    }
    case Op::OrderBy: {
        result = process(expr->lhs);
        if (result->type != NodeType::Path) {
            Node *path = m_program.newNode(NodeType::Path, result->position);
            path->items.push_back(result);
            result = path;
        }
        Node *sort = m_program.newNode(NodeType::Sort, expr->position);
        for (const SortTerm &term : expr->terms) {
            Node *e = process(term.expr);
            pushAncestry(sort, e);
            sort->terms.push_back({e, term.descending});
        }
        result->items.push_back(sort);
        resolveAncestry(result);
        break;
    }
    case Op::Assign:
        result = m_program.newNode(NodeType::Bind, expr->position);
        result->lhs = process(expr->lhs);
        result->text = result->lhs->text;
        result->rhs = process(expr->rhs);
        pushAncestry(result, result->rhs);
        break;
    case Op::Focus: {
        result = process(expr->lhs);
        Node *step = result->type == NodeType::Path ? result->items.back() : result;
        if (!step->stages.empty() || !step->predicates.empty()) {
            fail("S0215", expr->position,
                 u"A context variable binding must precede any predicates on a step"_s);
        }
        if (step->type == NodeType::Sort) {
            fail("S0216", expr->position,
                 u"A context variable binding must precede the 'order-by' clause on a step"_s);
        }
        if (expr->keepArray)
            step->keepArray = true;
        step->focus = expr->rhs->text;
        step->tuple = true;
        break;
    }
    case Op::Index: {
        result = process(expr->lhs);
        Node *step = result;
        if (result->type == NodeType::Path) {
            step = result->items.back();
        } else {
            result = m_program.newNode(NodeType::Path, step->position);
            result->items.push_back(step);
            if (!step->predicates.empty()) {
                step->stages = std::move(step->predicates);
                step->predicates.clear();
            }
        }
        if (step->stages.empty()) {
            step->index = expr->rhs->text;
        } else {
            Stage stage;
            stage.isIndex = true;
            stage.variable = expr->rhs->text;
            stage.position = expr->position;
            step->stages.push_back(stage);
        }
        step->tuple = true;
        break;
    }
    case Op::Chain:
        result = m_program.newNode(NodeType::Apply, expr->position);
        result->lhs = process(expr->lhs);
        result->rhs = process(expr->rhs);
        result->keepArray = result->lhs->keepArray || result->rhs->keepArray;
        break;
    default:
        result = m_program.newNode(NodeType::Binary, expr->position);
        result->op = expr->op;
        result->text = expr->text;
        result->lhs = process(expr->lhs);
        result->rhs = process(expr->rhs);
        pushAncestry(result, result->lhs);
        pushAncestry(result, result->rhs);
        break;
    }
    return result;
}

Node *Processor::process(Node *expr)
{
    if (++m_depth > maxTreeDepth) {
        fail("U1001", expr->position,
             u"The expression is nested more than %1 levels deep"_s.arg(maxTreeDepth));
    }
    Node *result = nullptr;
    switch (expr->type) {
    case NodeType::RawBinary:
        result = processBinary(expr);
        break;
    case NodeType::ArrayCons:
        result = m_program.newNode(NodeType::ArrayCons, expr->position);
        for (Node *item : expr->items) {
            Node *value = process(item);
            pushAncestry(result, value);
            result->items.push_back(value);
        }
        break;
    case NodeType::ObjectCons:
        result = m_program.newNode(NodeType::ObjectCons, expr->position);
        for (const auto &[k, v] : expr->pairs) {
            Node *key = process(k);
            pushAncestry(result, key);
            Node *value = process(v);
            pushAncestry(result, value);
            result->pairs.emplace_back(key, value);
        }
        break;
    case NodeType::Negate: {
        Node *operand = process(expr->lhs);
        if (operand->type == NodeType::Number) {
            result = operand;
            result->value = Data::Value(-operand->value.toDouble());
            result->text = u'-' + result->text;
        } else {
            result = m_program.newNode(NodeType::Negate, expr->position);
            result->lhs = operand;
            pushAncestry(result, operand);
        }
        break;
    }
    case NodeType::Function:
    case NodeType::Partial:
        result = m_program.newNode(expr->type, expr->position);
        for (Node *arg : expr->items) {
            Node *a = process(arg);
            pushAncestry(result, a);
            result->items.push_back(a);
        }
        result->lhs = process(expr->lhs);
        break;
    case NodeType::Lambda:
        result = m_program.newNode(NodeType::Lambda, expr->position);
        result->items = expr->items;
        result->signature = expr->signature;
        result->rhs = tailCallOptimize(process(expr->rhs));
        break;
    case NodeType::Condition:
        result = m_program.newNode(NodeType::Condition, expr->position);
        result->lhs = process(expr->lhs);
        pushAncestry(result, result->lhs);
        result->rhs = process(expr->rhs);
        pushAncestry(result, result->rhs);
        if (expr->third) {
            result->third = process(expr->third);
            pushAncestry(result, result->third);
        }
        break;
    case NodeType::Exists:
        result = m_program.newNode(NodeType::Exists, expr->position);
        result->lhs = process(expr->lhs);
        pushAncestry(result, result->lhs);
        break;
    case NodeType::Transform:
        result = m_program.newNode(NodeType::Transform, expr->position);
        result->lhs = process(expr->lhs);
        result->rhs = process(expr->rhs);
        if (expr->third)
            result->third = process(expr->third);
        break;
    case NodeType::Block:
        result = m_program.newNode(NodeType::Block, expr->position);
        for (Node *item : expr->items) {
            Node *part = process(item);
            pushAncestry(result, part);
            if (part->consArray
                || (part->type == NodeType::Path && part->items.front()->consArray))
                result->consArray = true;
            result->items.push_back(part);
        }
        break;
    case NodeType::Name:
        result = m_program.newNode(NodeType::Path, expr->position);
        result->items.push_back(expr);
        if (expr->keepArray)
            result->keepSingletonArray = true;
        break;
    case NodeType::Parent:
        result = m_program.newNode(NodeType::Parent, expr->position);
        m_program.ancestorSlots.push_back(std::make_unique<Slot>());
        result->slot = m_program.ancestorSlots.back().get();
        result->slot->label = u'!' + QString::number(m_ancestorLabel++);
        result->slot->index = m_ancestorIndex++;
        break;
    case NodeType::String:
    case NodeType::Number:
    case NodeType::Literal:
    case NodeType::Wildcard:
    case NodeType::Descendant:
    case NodeType::Variable:
    case NodeType::Regex:
    case NodeType::Placeholder:
        result = expr;
        break;
    case NodeType::Operator:
        if (expr->text == u"and" || expr->text == u"or" || expr->text == u"in") {
            expr->type = NodeType::Name;
            --m_depth;
            return process(expr);
        }
        fail("S0201", expr->position, u"Syntax error: %1"_s.arg(expr->text), expr->text);
    case NodeType::End:
        fail("S0207", expr->position, u"Unexpected end of expression"_s);
    default:
        fail("S0206", expr->position, u"Unknown expression type: %1"_s.arg(expr->text), expr->text);
    }
    if (expr->keepArray)
        result->keepArray = true;
    --m_depth;
    return result;
}

// Whether evaluating `n` may bind a variable in the frame it runs in (lambda bodies bind
// in their own call frames).
bool Processor::bindsIn(const Node *n, int depth)
{
    if (!n || depth > maxTreeDepth * 2)
        return false;
    if (n->type == NodeType::Bind)
        return true;
    if (n->type == NodeType::Lambda)
        return false;
    for (const Stage &s : n->stages) {
        if (bindsIn(s.expr, depth + 1))
            return true;
    }
    for (const Stage &s : n->predicates) {
        if (bindsIn(s.expr, depth + 1))
            return true;
    }
    if (bindsIn(n->lhs, depth + 1) || bindsIn(n->rhs, depth + 1) || bindsIn(n->third, depth + 1))
        return true;
    for (const Node *item : n->items) {
        if (bindsIn(item, depth + 1))
            return true;
    }
    for (const auto &[k, v] : n->pairs) {
        if (bindsIn(k, depth + 1) || bindsIn(v, depth + 1))
            return true;
    }
    for (const SortTerm &t : n->terms) {
        if (bindsIn(t.expr, depth + 1))
            return true;
    }
    if (n->group) {
        for (const auto &[k, v] : n->group->pairs) {
            if (bindsIn(k, depth + 1) || bindsIn(v, depth + 1))
                return true;
        }
    }
    return false;
}

void Processor::mark(Node *n, int depth)
{
    if (!n || depth > maxTreeDepth * 2)
        return;
    if (n->type == NodeType::Block) {
        n->needsFrame = false;
        for (const Node *item : n->items)
            n->needsFrame = n->needsFrame || bindsIn(item, depth + 1);
        if (n->items.size() == 1 && !n->needsFrame && n->predicates.empty() && n->stages.empty()
            && !n->group && !n->keepArray && !n->consArray && !n->tuple && !n->seekingParent
            && n->focus.isEmpty() && n->index.isEmpty() && !n->ancestor) {
            n->alias = n->items.front();
        }
    }
    if (n->type == NodeType::Variable)
        n->builtin = findBuiltin(n->text);   // used when no frame binds the name
    if (n->type == NodeType::String || n->type == NodeType::Number || n->type == NodeType::Literal
        || n->type == NodeType::Regex) {
        n->constant = n->predicates.empty() && !n->group && !n->keepArray;
    }
    if (n->type == NodeType::ObjectCons) {
        QStringList keys;
        bool literal = true;
        for (const auto &[key, value] : n->pairs) {
            literal = literal && key->type == NodeType::String && key->predicates.empty()
                      && !key->group && !key->keepArray && !keys.contains(key->text);
            keys << key->text;
        }
        n->literalKeys = literal;
    }
    if (n->type == NodeType::Path) {
        bool simple = !n->keepSingletonArray && !n->group && !n->tuple && !n->seekingParent
                      && n->predicates.empty();
        for (const Node *step : n->items) {
            simple = simple && step->type == NodeType::Name && step->stages.empty()
                     && step->predicates.empty() && !step->group && step->focus.isEmpty()
                     && step->index.isEmpty() && !step->tuple && !step->keepArray;
        }
        n->simplePath = simple;
    }
    for (Stage &s : n->stages)
        mark(s.expr, depth + 1);
    for (Stage &s : n->predicates)
        mark(s.expr, depth + 1);
    mark(n->lhs, depth + 1);
    mark(n->rhs, depth + 1);
    mark(n->third, depth + 1);
    if (n->type != NodeType::Lambda) {
        for (Node *item : n->items)
            mark(item, depth + 1);
    }
    for (auto &[k, v] : n->pairs) {
        mark(k, depth + 1);
        mark(v, depth + 1);
    }
    for (SortTerm &t : n->terms)
        mark(t.expr, depth + 1);
    if (n->group) {
        for (auto &[k, v] : n->group->pairs) {
            mark(k, depth + 1);
            mark(v, depth + 1);
        }
    }
}

void Processor::finalize(Node *root)
{
    mark(root, 0);
}

} // namespace

Node *processTree(Program &program, Node *raw)
{
    Processor processor(program);
    Node *root = processor.process(raw);
    if (root->type == NodeType::Parent || root->seekingParent) {
        throw JsonataException(u"S0217"_s, root->position,
                               u"The object representing the 'parent' cannot be derived from this expression"_s);
    }
    processor.finalize(root);
    return root;
}

} // namespace Conflux::Mapping::Internal
