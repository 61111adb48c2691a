package provider

import (
	actionschema "github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The device_filter attribute, declared once per schema package. All three
// declarations take their descriptions from device_filter.go and their
// validators from validators.go; they differ only where the packages do: a resource's lists default to
// empty and a change forces a new removal, while an action and a data
// source have neither defaults nor plan modifiers (their absent lists are
// null, taken as []).

// resourceDeviceFilterAttribute is device_filter in a resource schema.
func resourceDeviceFilterAttribute(noun string) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		MarkdownDescription: deviceFilterDescription(noun) + " Changing it forces a new removal.",
		Required:            true,
		PlanModifiers:       []planmodifier.Object{objectplanmodifier.RequiresReplace()},
		Attributes: map[string]schema.Attribute{
			"project": schema.SingleNestedAttribute{
				MarkdownDescription: projectDescription,
				Required:            true,
				Attributes: map[string]schema.Attribute{
					"name": schema.StringAttribute{MarkdownDescription: projectNameDescription, Required: true, Validators: nonEmpty()},
				},
			},
			"groups": schema.ListNestedAttribute{
				MarkdownDescription: groupsDescription + " Defaults to an empty list.",
				Optional:            true,
				Computed:            true,
				Default:             listdefault.StaticValue(types.ListValueMust(groupObjectType, []attr.Value{})),
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name": schema.StringAttribute{MarkdownDescription: groupNameDescription, Required: true, Validators: nonEmpty()},
				}},
			},
			"filters": schema.ListNestedAttribute{
				MarkdownDescription: filtersDescription + " Defaults to an empty list.",
				Optional:            true,
				Computed:            true,
				Default:             listdefault.StaticValue(types.ListValueMust(filterObjectType, []attr.Value{})),
				NestedObject: schema.NestedAttributeObject{
					Validators: []validator.Object{filterValidator{}},
					Attributes: map[string]schema.Attribute{
						"type":    schema.StringAttribute{MarkdownDescription: filterTypeDescription(), Required: true, Validators: filterTypeValidators()},
						"operand": schema.StringAttribute{MarkdownDescription: filterOperandDescription(), Required: true, Validators: filterOperandValidators()},
						"value":   schema.StringAttribute{MarkdownDescription: filterValueDescription(), Required: true, Validators: nonEmpty()},
					},
				},
			},
		},
	}
}

// actionDeviceFilterAttribute is device_filter in an action schema.
func actionDeviceFilterAttribute(noun string) actionschema.SingleNestedAttribute {
	return actionschema.SingleNestedAttribute{
		MarkdownDescription: deviceFilterDescription(noun),
		Required:            true,
		Attributes: map[string]actionschema.Attribute{
			"project": actionschema.SingleNestedAttribute{
				MarkdownDescription: projectDescription,
				Required:            true,
				Attributes: map[string]actionschema.Attribute{
					"name": actionschema.StringAttribute{MarkdownDescription: projectNameDescription, Required: true, Validators: nonEmpty()},
				},
			},
			"groups": actionschema.ListNestedAttribute{
				MarkdownDescription: groupsDescription,
				Optional:            true,
				NestedObject: actionschema.NestedAttributeObject{Attributes: map[string]actionschema.Attribute{
					"name": actionschema.StringAttribute{MarkdownDescription: groupNameDescription, Required: true, Validators: nonEmpty()},
				}},
			},
			"filters": actionschema.ListNestedAttribute{
				MarkdownDescription: filtersDescription,
				Optional:            true,
				NestedObject: actionschema.NestedAttributeObject{
					Validators: []validator.Object{filterValidator{}},
					Attributes: map[string]actionschema.Attribute{
						"type":    actionschema.StringAttribute{MarkdownDescription: filterTypeDescription(), Required: true, Validators: filterTypeValidators()},
						"operand": actionschema.StringAttribute{MarkdownDescription: filterOperandDescription(), Required: true, Validators: filterOperandValidators()},
						"value":   actionschema.StringAttribute{MarkdownDescription: filterValueDescription(), Required: true, Validators: nonEmpty()},
					},
				},
			},
		},
	}
}

// dataSourceDeviceFilterAttribute is device_filter in a data source schema.
func dataSourceDeviceFilterAttribute() dsschema.SingleNestedAttribute {
	return dsschema.SingleNestedAttribute{
		MarkdownDescription: dataSourceDeviceFilterDescription,
		Required:            true,
		Attributes: map[string]dsschema.Attribute{
			"project": dsschema.SingleNestedAttribute{
				MarkdownDescription: projectDescription,
				Required:            true,
				Attributes: map[string]dsschema.Attribute{
					"name": dsschema.StringAttribute{MarkdownDescription: projectNameDescription, Required: true, Validators: nonEmpty()},
				},
			},
			"groups": dsschema.ListNestedAttribute{
				MarkdownDescription: groupsDescription,
				Optional:            true,
				NestedObject: dsschema.NestedAttributeObject{Attributes: map[string]dsschema.Attribute{
					"name": dsschema.StringAttribute{MarkdownDescription: groupNameDescription, Required: true, Validators: nonEmpty()},
				}},
			},
			"filters": dsschema.ListNestedAttribute{
				MarkdownDescription: filtersDescription,
				Optional:            true,
				NestedObject: dsschema.NestedAttributeObject{
					Validators: []validator.Object{filterValidator{}},
					Attributes: map[string]dsschema.Attribute{
						"type":    dsschema.StringAttribute{MarkdownDescription: filterTypeDescription(), Required: true, Validators: filterTypeValidators()},
						"operand": dsschema.StringAttribute{MarkdownDescription: filterOperandDescription(), Required: true, Validators: filterOperandValidators()},
						"value":   dsschema.StringAttribute{MarkdownDescription: filterValueDescription(), Required: true, Validators: nonEmpty()},
					},
				},
			},
		},
	}
}
