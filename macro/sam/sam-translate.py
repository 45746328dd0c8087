"""
Expands an AWS SAM template (Transform: AWS::Serverless-2016-10-31) with the AWS SAM translator
(the aws-sam-translator package), offline, for tap-harden: the template arrives as JSON on stdin
and the answer leaves as one JSON object on stdout.

  in:  {"template": {...}, "region": "us-east-1", "parameterValues": {"Env": "dev"}}
  out: {"status": "expanded", "template": {...}, "origins": {"<generated id>": "<SAM resource id>"}}
       {"status": "unavailable", "reason": "..."}      the translator cannot be imported here
       {"status": "invalid", "errors": ["..."]}        SAM refuses the template (as the deploy would)
       {"status": "error", "message": "..."}           anything else

Called as cfn-lint calls the translator (cfnlint/template/transforms/_sam.py): local CodeUri,
ContentUri, DefinitionUri and Location values become a placeholder S3 location (the translator
accepts only S3 ones; `sam package` puts the real ones there), the region comes from
AWS_DEFAULT_REGION, and the managed-policy map is the one the translator ships, so nothing calls
AWS. Metadata is passed through to the generated resources, with a marker naming the SAM
resource each came from; the marker is taken out again before the template is returned.
"""
import json
import os
import sys

MARKER = "TapHardeningSamSource"
PLACEHOLDER = "s3://bucket/value"


def partition_of(region):
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def is_function(value):
    return isinstance(value, dict) and len(value) == 1 and (next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::"))


def to_s3(key, props):
    value = props.get(key, ".")
    if isinstance(value, dict):
        if is_function(value):
            props[key] = PLACEHOLDER
        return
    if isinstance(value, str) and value.startswith("s3://"):
        return
    props[key] = PLACEHOLDER


def replace_local_uris(template, alias_parameters):
    parameters = template.get("Parameters") or {}

    def note_alias(value):
        if isinstance(value, dict) and list(value) == ["Ref"] and value["Ref"] in parameters:
            alias_parameters[value["Ref"]] = "Alias"

    globals_function = (template.get("Globals") or {}).get("Function") or {}
    if isinstance(globals_function, dict):
        note_alias(globals_function.get("AutoPublishAlias"))
    for resource in (template.get("Resources") or {}).values():
        if not isinstance(resource, dict):
            continue
        kind = resource.get("Type")
        props = resource.get("Properties")
        if not isinstance(props, dict):
            continue
        if kind == "AWS::Serverless::Function":
            to_s3("ImageUri" if props.get("PackageType") == "Image" else "CodeUri", props)
            note_alias(props.get("AutoPublishAlias"))
            if isinstance(props.get("AutoPublishCodeSha256"), dict):
                props["AutoPublishCodeSha256"] = "fakesha"
        elif kind == "AWS::Serverless::LayerVersion" and props.get("ContentUri"):
            to_s3("ContentUri", props)
        elif kind == "AWS::Serverless::Application" and isinstance(props.get("Location"), dict):
            props["Location"] = ""
            to_s3("Location", props)
        elif kind == "AWS::Serverless::Api":
            if not any(k in props for k in ("DefinitionBody", "Auth", "Cors", "DisableExecuteApiEndpoint")):
                to_s3("DefinitionUri", props)
        elif kind == "AWS::Serverless::StateMachine" and props.get("DefinitionUri"):
            to_s3("DefinitionUri", props)


def mark(template):
    """Gives every SAM resource a marker in its Metadata, which the translator copies onto what it generates."""
    sam = {}
    for logical_id, resource in (template.get("Resources") or {}).items():
        if isinstance(resource, dict) and str(resource.get("Type", "")).startswith("AWS::Serverless::"):
            meta = resource.get("Metadata")
            had = isinstance(meta, dict)
            resource["Metadata"] = dict(meta) if had else {}
            resource["Metadata"][MARKER] = logical_id
            sam[logical_id] = {"had_metadata": had, "resource": resource}
    return sam


def implicit_api_owner(template, event_type):
    """The first function (or state machine) whose events make SAM generate the implicit API (read before the translator adds RestApiId to them)."""
    for logical_id, resource in (template.get("Resources") or {}).items():
        if not isinstance(resource, dict) or not str(resource.get("Type", "")).startswith("AWS::Serverless::"):
            continue
        events = (resource.get("Properties") or {}).get("Events") or {}
        if isinstance(events, dict):
            for event in events.values():
                if isinstance(event, dict) and event.get("Type") == event_type and "RestApiId" not in (event.get("Properties") or {}) and "ApiId" not in (event.get("Properties") or {}):
                    return logical_id
    return None


def origins_of(output, sam, source_ids, implicit):
    origins = {}
    by_length = sorted(sam, key=len, reverse=True)
    for logical_id, resource in (output.get("Resources") or {}).items():
        if not isinstance(resource, dict):
            continue
        meta = resource.get("Metadata")
        owner = meta.pop(MARKER, None) if isinstance(meta, dict) else None
        if isinstance(meta, dict) and not meta and owner is not None and not sam.get(owner, {}).get("had_metadata", False):
            del resource["Metadata"]
        if owner is None and logical_id not in source_ids:
            if logical_id.startswith("ServerlessRestApi"):
                owner = implicit["Api"]
            elif logical_id.startswith("ServerlessHttpApi"):
                owner = implicit["HttpApi"]
            if owner is None:
                owner = next((s for s in by_length if logical_id.startswith(s)), None)
        if owner is not None:
            origins[logical_id] = owner
    return origins


def main():
    request = json.load(sys.stdin)
    region = request.get("region") or "us-east-1"
    os.environ["AWS_DEFAULT_REGION"] = region
    try:
        from samtranslator.parser import parser
        from samtranslator.public.exceptions import InvalidDocumentException
        from samtranslator.translator.translator import Translator
        try:
            from samtranslator.internal.managed_policies import get_bundled_managed_policy_map
        except ImportError:  # older translators: no bundled map
            get_bundled_managed_policy_map = lambda partition: {}
    except ImportError as e:
        return {"status": "unavailable", "reason": str(e)}

    template = request["template"]
    source_ids = {k for k, v in (template.get("Resources") or {}).items() if isinstance(v, dict) and not str(v.get("Type", "")).startswith("AWS::Serverless::")}
    parameters = dict(request.get("parameterValues") or {})
    replace_local_uris(template, parameters)
    implicit = {kind: implicit_api_owner(template, kind) for kind in ("Api", "HttpApi")}
    sam = mark(template)
    policies = get_bundled_managed_policy_map(partition_of(region)) or {}
    try:
        output = Translator(managed_policy_map=policies, sam_parser=parser.Parser()).translate(
            sam_template=template,
            parameter_values=parameters,
            passthrough_metadata=True,
            get_managed_policy_map=lambda: policies,
        )
    except InvalidDocumentException as e:
        return {"status": "invalid", "errors": [c.message for c in e.causes]}
    return {"status": "expanded", "template": output, "origins": origins_of(output, sam, source_ids, implicit)}


if __name__ == "__main__":
    try:
        answer = main()
    except Exception as e:  # the caller reports it; a trace would say nothing more to a user
        answer = {"status": "error", "message": f"{type(e).__name__}: {e}"}
    json.dump(answer, sys.stdout)
