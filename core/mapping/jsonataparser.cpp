#include "mapping/jsonataparser_p.h"

#include "mapping/jsonatafunctions_p.h"
#include "mapping/jsonatalexer_p.h"
#include "mapping/jsonataregex_p.h"

using namespace Qt::StringLiterals;

namespace Conflux::Mapping::Internal {

namespace {

// Top-down operator precedence (Pratt) parser. Each token becomes a raw node; nud()
// handles a token in operand position, led() a token after an operand.
class Parser
{
public:
    Parser(Program &program, QStringView source) : m_program(program), m_source(source), m_lexer(source) {}

    Node *parse()
    {
        advance();
        Node *expr = expression(0);
        if (m_node->type != NodeType::End)
            syntaxError(m_node);
        return expr;
    }

private:
    // What a token is to the parser: its symbol id and binding power.
    static int bindingPower(const Node *n)
    {
        if (n->type != NodeType::Operator)
            return 0;
        const QString &id = n->text;
        if (id.size() == 1) {
            switch (id[0].unicode()) {
            case u'.': return 75;
            case u'[': case u'(': case u'@': case u'#': return 80;
            case u'{': return 70;
            case u'*': case u'/': case u'%': return 60;
            case u'+': case u'-': case u'&': return 50;
            case u'=': case u'<': case u'>': case u'^': return 40;
            case u'?': return 20;
            default: return 0;
            }
        }
        if (id == u"!=" || id == u"<=" || id == u">=" || id == u"~>" || id == u"?:"
            || id == u"??" || id == u"in")
            return 40;
        if (id == u"and")
            return 30;
        if (id == u"or")
            return 25;
        if (id == u":=")
            return 10;
        return 0;
    }

    static bool isKnownOperator(const QString &op)
    {
        static const QStringList known = {
            u":"_s, u";"_s, u","_s, u")"_s, u"]"_s, u"}"_s, u".."_s, u"."_s, u"+"_s, u"-"_s,
            u"*"_s, u"/"_s, u"%"_s, u"="_s, u"<"_s, u">"_s, u"!="_s, u"<="_s, u">="_s, u"&"_s,
            u"and"_s, u"or"_s, u"in"_s, u"~>"_s, u"??"_s, u"**"_s, u"("_s, u"["_s, u"^"_s,
            u"{"_s, u":="_s, u"@"_s, u"#"_s, u"?"_s, u"?:"_s, u"|"_s};
        return known.contains(op);
    }

    bool is(const Node *n, QStringView op) const
    {
        return n->type == NodeType::Operator && n->text == op;
    }

    [[noreturn]] void syntaxError(const Node *n)
    {
        throw JsonataException(u"S0201"_s, n->position, u"Syntax error: %1"_s.arg(tokenText(n)),
                               tokenText(n));
    }

    static QString tokenText(const Node *n)
    {
        if (n->type == NodeType::End)
            return u"(end)"_s;
        return n->text;
    }

    void advance(QStringView expected = {}, bool infix = false)
    {
        if (!expected.isNull() && !is(m_node, expected)) {
            if (m_node->type == NodeType::End) {
                throw JsonataException(u"S0203"_s, m_node->position,
                                       u"Expected %1 before end of expression"_s.arg(expected),
                                       tokenText(m_node));
            }
            throw JsonataException(u"S0202"_s, m_node->position,
                                   u"Expected %1, got %2"_s.arg(expected, tokenText(m_node)),
                                   tokenText(m_node));
        }
        const Token t = m_lexer.next(infix);
        Node *n = nullptr;
        switch (t.type) {
        case TokenType::End:
            n = m_program.newNode(NodeType::End, int(m_source.size()));
            break;
        case TokenType::Name:
            n = m_program.newNode(NodeType::Name, t.position);
            n->text = t.text;
            break;
        case TokenType::Variable:
            n = m_program.newNode(NodeType::Variable, t.position);
            n->text = t.text;
            break;
        case TokenType::String:
            n = m_program.newNode(NodeType::String, t.position);
            n->text = t.text;
            n->value = Data::Value(t.text);
            break;
        case TokenType::Number:
            n = m_program.newNode(NodeType::Number, t.position);
            n->text = t.text;
            n->value = Data::Value(t.number);
            break;
        case TokenType::Literal:
            n = m_program.newNode(NodeType::Literal, t.position);
            n->text = t.text;
            n->value = t.literal == 0 ? Data::Value::null() : Data::Value(t.literal == 1);
            break;
        case TokenType::Regex:
            n = m_program.newNode(NodeType::Regex, t.position);
            n->text = u'/' + t.text + u'/' + t.flags;
            n->value = makeRegex(t.text, t.flags, t.position);
            break;
        case TokenType::Operator:
            if (!isKnownOperator(t.text)) {
                throw JsonataException(u"S0204"_s, t.position, u"Unknown operator: %1"_s.arg(t.text),
                                       t.text);
            }
            n = m_program.newNode(NodeType::Operator, t.position);
            n->text = t.text;
            break;
        }
        m_node = n;
    }

    Node *expression(int rbp)
    {
        if (++m_depth > maxParseDepth) {
            throw JsonataException(u"U1001"_s, m_node->position,
                                   u"The expression is nested more than %1 levels deep"_s
                                       .arg(maxParseDepth));
        }
        Node *t = m_node;
        advance({}, true);
        Node *left = nud(t);
        while (rbp < bindingPower(m_node)) {
            t = m_node;
            advance();
            left = led(t, left);
        }
        --m_depth;
        return left;
    }

    Node *nud(Node *t)
    {
        switch (t->type) {
        case NodeType::Name:
        case NodeType::Variable:
        case NodeType::String:
        case NodeType::Number:
        case NodeType::Literal:
        case NodeType::Regex:
        case NodeType::End:
            return t;
        case NodeType::Operator:
            break;
        default:
            syntaxError(t);
        }
        const QString &id = t->text;
        if (id == u"and" || id == u"or" || id == u"in")
            return t;   // keywords double as field names
        if (id == u"-") {
            t->type = NodeType::Negate;
            t->lhs = expression(70);
            return t;
        }
        if (id == u"*") {
            t->type = NodeType::Wildcard;
            return t;
        }
        if (id == u"**") {
            t->type = NodeType::Descendant;
            return t;
        }
        if (id == u"%") {
            t->type = NodeType::Parent;
            return t;
        }
        if (id == u"(") {
            while (!is(m_node, u")")) {
                t->items.push_back(expression(0));
                if (!is(m_node, u";"))
                    break;
                advance(u";");
            }
            advance(u")", true);
            t->type = NodeType::Block;
            return t;
        }
        if (id == u"[") {
            if (!is(m_node, u"]")) {
                for (;;) {
                    Node *item = expression(0);
                    if (is(m_node, u"..")) {
                        Node *range = m_program.newNode(NodeType::RawBinary, m_node->position);
                        range->op = Op::Range;
                        range->text = u".."_s;
                        range->lhs = item;
                        advance(u"..");
                        range->rhs = expression(0);
                        item = range;
                    }
                    t->items.push_back(item);
                    if (!is(m_node, u","))
                        break;
                    advance(u",");
                }
            }
            advance(u"]", true);
            t->type = NodeType::ArrayCons;
            return t;
        }
        if (id == u"{") {
            objectPairs(t);
            t->type = NodeType::ObjectCons;
            return t;
        }
        if (id == u"|") {
            t->type = NodeType::Transform;
            t->lhs = expression(0);
            advance(u"|");
            t->rhs = expression(0);
            if (is(m_node, u",")) {
                advance(u",");
                t->third = expression(0);
            }
            advance(u"|");
            return t;
        }
        throw JsonataException(u"S0211"_s, t->position,
                               u"The symbol %1 cannot be used as a unary operator"_s.arg(id), id);
    }

    void objectPairs(Node *t)
    {
        if (!is(m_node, u"}")) {
            for (;;) {
                Node *name = expression(0);
                advance(u":");
                Node *value = expression(0);
                t->pairs.emplace_back(name, value);
                if (!is(m_node, u","))
                    break;
                advance(u",");
            }
        }
        advance(u"}", true);
    }

    static Op binaryOp(const QString &id)
    {
        static const std::pair<QStringView, Op> ops[] = {
            {u".", Op::Dot}, {u"+", Op::Add}, {u"-", Op::Sub}, {u"*", Op::Mul}, {u"/", Op::Div},
            {u"%", Op::Mod}, {u"=", Op::Eq}, {u"!=", Op::Ne}, {u"<", Op::Lt}, {u"<=", Op::Le},
            {u">", Op::Gt}, {u">=", Op::Ge}, {u"&", Op::Concat}, {u"and", Op::And},
            {u"or", Op::Or}, {u"in", Op::In}, {u"~>", Op::Chain}};
        for (const auto &[text, op] : ops) {
            if (id == text)
                return op;
        }
        return Op::None;
    }

    // A deep copy of a raw subtree (?: and ?? evaluate their left side twice).
    Node *clone(const Node *n, int depth = 0)
    {
        if (!n)
            return nullptr;
        if (depth > maxParseDepth * 4) {
            throw JsonataException(u"U1001"_s, n->position,
                                   u"The expression is nested more than %1 levels deep"_s
                                       .arg(maxParseDepth * 4));
        }
        Node *c = m_program.newNode(n->type, n->position);
        *c = *n;
        c->lhs = clone(n->lhs, depth + 1);
        c->rhs = clone(n->rhs, depth + 1);
        c->third = clone(n->third, depth + 1);
        for (Node *&item : c->items)
            item = clone(item, depth + 1);
        for (auto &[k, v] : c->pairs) {
            k = clone(k, depth + 1);
            v = clone(v, depth + 1);
        }
        for (SortTerm &term : c->terms)
            term.expr = clone(term.expr, depth + 1);
        return c;
    }

    Node *led(Node *t, Node *left)
    {
        const QString id = t->text;
        const int bp = bindingPower(t);
        if (const Op op = binaryOp(id); op != Op::None) {
            t->type = NodeType::RawBinary;
            t->op = op;
            t->lhs = left;
            t->rhs = expression(bp);
            return t;
        }
        if (id == u"??") {
            t->type = NodeType::Condition;
            Node *test = m_program.newNode(NodeType::Exists, t->position);
            test->lhs = clone(left);
            t->lhs = test;
            t->rhs = left;
            t->third = expression(0);
            return t;
        }
        if (id == u"?:") {
            t->type = NodeType::Condition;
            t->lhs = clone(left);
            t->rhs = left;
            t->third = expression(0);
            return t;
        }
        if (id == u"(")
            return call(t, left);
        if (id == u"[") {
            if (is(m_node, u"]")) {
                // `step[]`: keep singleton arrays in the result
                Node *step = left;
                while (step && step->type == NodeType::RawBinary && step->op == Op::Filter)
                    step = step->lhs;
                step->keepArray = true;
                advance(u"]");
                return left;
            }
            t->type = NodeType::RawBinary;
            t->op = Op::Filter;
            t->lhs = left;
            t->rhs = expression(0);
            advance(u"]", true);
            return t;
        }
        if (id == u"^") {
            advance(u"(");
            for (;;) {
                SortTerm term;
                if (is(m_node, u"<")) {
                    advance(u"<");
                } else if (is(m_node, u">")) {
                    term.descending = true;
                    advance(u">");
                }
                term.expr = expression(0);
                t->terms.push_back(term);
                if (!is(m_node, u","))
                    break;
                advance(u",");
            }
            advance(u")");
            t->type = NodeType::RawBinary;
            t->op = Op::OrderBy;
            t->lhs = left;
            return t;
        }
        if (id == u"{") {
            objectPairs(t);
            t->type = NodeType::RawBinary;
            t->op = Op::Group;
            t->lhs = left;
            return t;
        }
        if (id == u":=") {
            if (left->type != NodeType::Variable) {
                throw JsonataException(u"S0212"_s, left->position,
                                       u"The left side of := must be a variable name (start with $)"_s,
                                       left->text);
            }
            t->type = NodeType::RawBinary;
            t->op = Op::Assign;
            t->lhs = left;
            t->rhs = expression(bp - 1);
            return t;
        }
        if (id == u"@" || id == u"#") {
            t->type = NodeType::RawBinary;
            t->op = id == u"@" ? Op::Focus : Op::Index;
            t->lhs = left;
            t->rhs = expression(bp);
            if (t->rhs->type != NodeType::Variable) {
                throw JsonataException(u"S0214"_s, t->rhs->position,
                                       u"The right side of %1 must be a variable name (start with $)"_s
                                           .arg(id),
                                       id);
            }
            return t;
        }
        if (id == u"?") {
            t->type = NodeType::Condition;
            t->lhs = left;
            t->rhs = expression(0);
            if (is(m_node, u":")) {
                advance(u":");
                t->third = expression(0);
            }
            return t;
        }
        syntaxError(t);
    }

    Node *call(Node *t, Node *left)
    {
        t->lhs = left;
        t->type = NodeType::Function;
        if (!is(m_node, u")")) {
            for (;;) {
                if (is(m_node, u"?")) {
                    t->type = NodeType::Partial;
                    Node *placeholder = m_node;
                    advance(u"?");
                    placeholder->type = NodeType::Placeholder;
                    t->items.push_back(placeholder);
                } else {
                    t->items.push_back(expression(0));
                }
                if (!is(m_node, u","))
                    break;
                advance(u",");
            }
        }
        advance(u")", true);
        if (left->type != NodeType::Name || (left->text != u"function" && left->text != u"\u03BB"))
            return t;

        for (size_t i = 0; i < t->items.size(); ++i) {
            const Node *arg = t->items[i];
            if (arg->type != NodeType::Variable) {
                throw JsonataException(
                    u"S0208"_s, arg->position,
                    u"Parameter %1 of function definition must be a variable name (start with $)"_s
                        .arg(i + 1),
                    arg->text);
            }
        }
        t->type = NodeType::Lambda;
        if (is(m_node, u"<")) {
            const int signaturePosition = m_node->position;
            int depth = 1;
            QString text = u"<"_s;
            while (depth > 0 && !is(m_node, u"{") && m_node->type != NodeType::End) {
                advance();
                if (is(m_node, u">"))
                    --depth;
                else if (is(m_node, u"<"))
                    ++depth;
                text += m_node->type == NodeType::End ? QString() : m_node->text;
            }
            advance(u">");
            try {
                m_program.signatures.push_back(Signature::parse(text));
            } catch (JsonataException &e) {
                e.position += signaturePosition;
                throw;
            }
            t->signature = m_program.signatures.back().get();
        }
        advance(u"{");
        t->rhs = expression(0);
        advance(u"}");
        return t;
    }

    Program &m_program;
    QStringView m_source;
    Lexer m_lexer;
    Node *m_node = nullptr;
    int m_depth = 0;
};

} // namespace

std::shared_ptr<Program> parseProgram(QStringView source)
{
    auto program = std::make_shared<Program>();
    program->source = source.toString();
    Parser parser(*program, program->source);
    Node *raw = parser.parse();
    program->root = processTree(*program, raw);
    return program;
}

} // namespace Conflux::Mapping::Internal
